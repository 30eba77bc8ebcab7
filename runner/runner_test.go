package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under ../testdata/runner")

// fixtures is the module's testdata/runner, shared with the end-to-end tests.
const fixtures = "../testdata/runner"

func fixture(name string) string { return filepath.Join(fixtures, name) }

func TestNotebookRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"written by nbconvert", "nbconvert-ok.ipynb"},
		{"written by gomp run", "fail.golden.ipynb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := os.ReadFile(fixture(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			nb, err := ReadNotebook(fixture(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), tc.file)
			if err := WriteNotebook(out, nb); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("reading and writing %s changed it:\n%s", tc.file, got)
			}
		})
	}
}

func TestWriteNotebookLeavesOnlyTheNotebook(t *testing.T) {
	nb, err := ReadNotebook(fixture("ok.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ok.ipynb")
	for range 2 {
		if err := WriteNotebook(path, nb); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "ok.ipynb" {
		t.Errorf("directory holds %v, want only ok.ipynb", entries)
	}
	if err := WriteNotebook(filepath.Join(dir, "missing", "x.ipynb"), nb); err == nil || !strings.Contains(err.Error(), "x.ipynb") {
		t.Errorf("writing into a missing directory: err = %v, want an error naming x.ipynb", err)
	}
}

func TestReadNotebookErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	v3 := filepath.Join(dir, "old.ipynb")
	if err := os.WriteFile(v3, []byte(`{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"bad JSON", fixture("broken.ipynb"), []string{"broken.ipynb", "invalid JSON at line 6"}},
		{"python kernel", fixture("python.ipynb"), []string{"python.ipynb", `kernel is for "python", not Go`}},
		{"nbformat 3", v3, []string{"old.ipynb", "nbformat 3 is not supported"}},
		{"missing", filepath.Join(dir, "none.ipynb"), []string{"none.ipynb", "no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNotebook(tc.path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMergeStreams(t *testing.T) {
	out := func(name, text string) Output {
		return Output{OutputType: "stream", Name: name, Text: MultilineString(text)}
	}
	result := Output{OutputType: "execute_result", Data: MIMEData{"text/plain": "1"}}
	for _, tc := range []struct {
		name     string
		in, want []Output
	}{
		{"nothing", nil, nil},
		{"same stream", []Output{out("stdout", "a\n"), out("stdout", "b"), out("stdout", "c\n")}, []Output{out("stdout", "a\nbc\n")}},
		{"stdout then stderr", []Output{out("stdout", "a\n"), out("stderr", "b\n"), out("stdout", "c\n")}, []Output{out("stdout", "a\n"), out("stderr", "b\n"), out("stdout", "c\n")}},
		{"result between", []Output{out("stdout", "a\n"), result, out("stdout", "b\n")}, []Output{out("stdout", "a\n"), result, out("stdout", "b\n")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MergeStreams(tc.in)
			if !slices.EqualFunc(got, tc.want, func(a, b Output) bool {
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				return bytes.Equal(ja, jb)
			}) {
				t.Errorf("MergeStreams = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestOutputsDropLateWrites(t *testing.T) {
	o := &outputs{}
	o.stream("stdout").Write([]byte("in time\n"))
	got := o.take()
	o.stream("stdout").Write([]byte("too late\n"))
	if len(got) != 1 || got[0].Text != "in time\n" || len(o.list) != 1 {
		t.Errorf("outputs = %+v then %+v, want only the write before take", got, o.list)
	}
}

// langInfo stands in for the kernel's language_info, which main supplies.
var langInfo = json.RawMessage(`{"name":"go"}`)

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		file   string
		opts   Options
		want   Summary
		golden string // compare the written notebook with this file
	}{
		{"ok", "ok.ipynb", Options{}, Summary{Status: OK, Ran: 2, Total: 2}, ""},
		{"failing cell stops", "fail.ipynb", Options{}, Summary{Status: Failed, Ran: 2, Total: 3, Errors: 1, Message: "In[2]: assignment to entry in nil map"}, ""},
		{"failing cell allowed", "fail.ipynb", Options{AllowErrors: true}, Summary{Status: OK, Ran: 3, Total: 3, Errors: 1, Message: "In[2]: assignment to entry in nil map"}, "fail.golden.ipynb"},
		{"timeout", "slow.ipynb", Options{Timeout: time.Second}, Summary{Status: TimedOut, Ran: 2, Total: 3, Errors: 1, Message: "In[2]: the cell did not finish within 1s and was interrupted"}, ""},
		{"broken", "broken.ipynb", Options{}, Summary{Status: Broken}, ""},
		{"not Go", "python.ipynb", Options{}, Summary{Status: Broken}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.OutputDir, opts.LanguageInfo = t.TempDir(), langInfo
			var progress []int
			opts.Progress = func(done, total int) { progress = append(progress, done) }
			got := Run(context.Background(), fixture(tc.file), opts)
			if got.Status != tc.want.Status || got.Ran != tc.want.Ran || got.Total != tc.want.Total || got.Errors != tc.want.Errors {
				t.Errorf("summary = %+v, want %+v", got, tc.want)
			}
			if tc.want.Status == Broken {
				if !strings.Contains(got.Message, tc.file) || got.Output != "" {
					t.Errorf("broken notebook: message %q should name %s, output %q should be empty", got.Message, tc.file, got.Output)
				}
				return
			}
			if got.Message != tc.want.Message {
				t.Errorf("message = %q, want %q", got.Message, tc.want.Message)
			}
			if len(progress) != tc.want.Ran {
				t.Errorf("progress called %d times, want %d", len(progress), tc.want.Ran)
			}
			nb, err := ReadNotebook(got.Output)
			if err != nil {
				t.Fatalf("reading the written notebook: %v", err)
			}
			var li bytes.Buffer
			if err := json.Compact(&li, nb.Metadata["language_info"]); err != nil || li.String() != string(langInfo) {
				t.Errorf("language_info = %s, want %s", nb.Metadata["language_info"], langInfo)
			}
			checkCounts(t, nb, tc.want.Ran)
			if tc.golden != "" {
				compareGolden(t, got.Output, fixture(tc.golden))
			}
		})
	}
}

// checkCounts checks that the first ran code cells are numbered 1..ran and
// the others are unrun with no outputs.
func checkCounts(t *testing.T, nb *Notebook, ran int) {
	t.Helper()
	n := 0
	for _, c := range nb.Cells {
		if c.Type != "code" || strings.TrimSpace(c.Source.String()) == "" {
			continue
		}
		n++
		switch {
		case n <= ran && (c.ExecutionCount == nil || *c.ExecutionCount != n):
			t.Errorf("code cell %d: execution_count %v, want %d", n, c.ExecutionCount, n)
		case n > ran && (c.ExecutionCount != nil || len(c.Outputs) > 0):
			t.Errorf("code cell %d was not run but has execution_count %v and %d outputs", n, c.ExecutionCount, len(c.Outputs))
		}
	}
}

func compareGolden(t *testing.T, got, golden string) {
	t.Helper()
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", got, golden, data)
	}
}

func TestSummaryLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		sum  Summary
		want string
	}{
		{"ok", Summary{Path: "a.ipynb", Status: OK, Ran: 3, Total: 3, Duration: 1234 * time.Millisecond}, "ok       a.ipynb  3/3 cells, 0 errors, 1.23s"},
		{"failed", Summary{Path: "b.ipynb", Status: Failed, Ran: 2, Total: 5, Errors: 1, Duration: 50 * time.Millisecond, Message: "In[2]: boom"}, "FAILED   b.ipynb  2/5 cells, 1 error, 50ms: In[2]: boom"},
		{"timeout", Summary{Path: "c.ipynb", Status: TimedOut, Ran: 1, Total: 1, Errors: 1, Duration: 2 * time.Second, Message: "In[1]: slow"}, "TIMEOUT  c.ipynb  1/1 cells, 1 error, 2s: In[1]: slow"},
		{"broken", Summary{Path: "d.ipynb", Status: Broken, Message: "d.ipynb: not a notebook"}, "BROKEN   d.ipynb: not a notebook"},
		{"crash with stderr", Summary{Path: "e.ipynb", Status: Failed, Message: "e.ipynb: ended\nfatal error"}, "FAILED   e.ipynb  0/0 cells, 0 errors, 0s: e.ipynb: ended\n         fatal error"},
		{"errors allowed", Summary{Path: "f.ipynb", Status: OK, Ran: 3, Total: 3, Errors: 2, Duration: time.Second, Message: "In[2]: boom"}, "ERRORS   f.ipynb  3/3 cells, 2 errors, 1s: In[2]: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SummaryLine(tc.sum); got != tc.want {
				t.Errorf("SummaryLine = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []Status
		want     int
	}{
		{"none", nil, 0},
		{"all ok", []Status{OK, OK}, 0},
		{"one failed", []Status{OK, Failed}, 1},
		{"broken beats failed", []Status{Failed, Broken}, 2},
		{"timeout beats broken", []Status{Broken, TimedOut, OK}, 3},
		{"interrupted beats all", []Status{TimedOut, Interrupted}, 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sums []Summary
			for _, s := range tc.statuses {
				sums = append(sums, Summary{Status: s})
			}
			if got := ExitCode(sums); got != tc.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tc.statuses, got, tc.want)
			}
		})
	}
}

func TestReadReports(t *testing.T) {
	in := `{"done":0,"total":2}
not json
{"done":1,"total":2}
{"done":0,"total":0,"bar":"squares [###] 100%"}
{"done":2,"total":2,"summary":{"path":"a.ipynb","status":"ok","ran":2,"total":2,"errors":0,"duration":5}}
`
	var seen []int
	var bars []string
	sum, _, ok := readReports(strings.NewReader(in), func(done, total int) { seen = append(seen, done) }, func(b string) { bars = append(bars, b) })
	if !ok || sum.Path != "a.ipynb" || sum.Status != OK || !slices.Equal(seen, []int{0, 1}) || !slices.Equal(bars, []string{"squares [###] 100%"}) {
		t.Errorf("readReports = %+v, %v, progress %v, bars %q", sum, ok, seen, bars)
	}
	if _, last, ok := readReports(strings.NewReader(`{"done":1,"total":2}`), func(int, int) {}, func(string) {}); ok || last.Done != 1 || last.Total != 2 {
		t.Errorf("a child that ended without a summary: ok %v, last progress %+v; want false and 1/2", ok, last)
	}
}

func TestDisplay(t *testing.T) {
	a := Summary{Path: "a.ipynb", Status: OK, Ran: 3, Total: 3, Duration: time.Second}
	b := Summary{Path: "b.ipynb", Status: Failed, Ran: 1, Total: 2, Errors: 1, Duration: time.Second, Message: "In[1]: boom"}
	c := Summary{Path: "c.ipynb", Status: OK, Ran: 2, Total: 2, Errors: 1, Duration: time.Second, Message: "In[1]: boom"}
	for _, tc := range []struct {
		name     string
		terminal bool
		status   []string // in order on the terminal
	}{
		{"plain", false, nil},
		{"terminal", true, []string{"\r\033[K[0/2 done] a.ipynb starting", "\r\033[K[0/2 done] a.ipynb cell 1/3", "\r\033[K[0/2 done] a.ipynb cell 1/3; b.ipynb starting", "\r\033[K\r\033[K[1/2 done] b.ipynb starting", "\r\033[K\r\033[K[2/2 done]\r\033[K"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, status strings.Builder
			d := &Display{Out: &out}
			if tc.terminal {
				d.Status = &status
			}
			d.start(2)
			d.started("a.ipynb")
			d.progress("a.ipynb", 0, 3)
			d.started("b.ipynb")
			d.finished(a)
			d.finished(b)
			d.end([]Summary{a, b, c})
			want := SummaryLine(a) + "\n" + SummaryLine(b) + "\n3 notebooks: 1 ok, 1 with errors, 1 failed in "
			if !strings.HasPrefix(out.String(), want) {
				t.Errorf("out = %q, want it to start with %q", out.String(), want)
			}
			if got := status.String(); got != strings.Join(tc.status, "") {
				t.Errorf("status line writes = %q, want %q", got, strings.Join(tc.status, ""))
			}
		})
	}
}

// TestDisplayBars checks how gomp run shows mp progress bars: in the
// status line on a terminal; otherwise as plain lines, the first at once,
// later ones at most every barEvery, and the last state when the cell ends.
func TestDisplayBars(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		var out, log strings.Builder
		d := &Display{Out: &out, Log: &log}
		d.start(1)
		d.started("a.ipynb")
		d.progress("a.ipynb", 0, 2)
		d.bar("a.ipynb", "sq [#--] 33% 1/3 0s")
		d.bar("a.ipynb", "sq [##-] 66% 2/3 10ms")
		d.bar("a.ipynb", "sq [###] 100% 3/3 20ms")
		d.progress("a.ipynb", 1, 2)
		d.bar("a.ipynb", "sq [###] 100% 3/3 0s")
		d.bar("a.ipynb", "sq [###] 100% 3/3 10ms") // the bar's last redraw, as it closes
		d.progress("a.ipynb", 2, 2)
		want := "a.ipynb: sq [#--] 33% 1/3 0s\na.ipynb: sq [###] 100% 3/3 20ms\na.ipynb: sq [###] 100% 3/3 0s\n"
		if log.String() != want || out.Len() != 0 {
			t.Errorf("log = %q, out = %q; want log %q and nothing on out", log.String(), out.String(), want)
		}
	})
	t.Run("terminal", func(t *testing.T) {
		var out, status strings.Builder
		d := &Display{Out: &out, Status: &status, Log: &out}
		d.start(1)
		d.started("a.ipynb")
		d.progress("a.ipynb", 0, 2)
		d.bar("a.ipynb", "sq [##-] 66%")
		if !strings.HasSuffix(status.String(), "a.ipynb cell 1/2 sq [##-] 66%") || out.Len() != 0 {
			t.Errorf("status = %q, out = %q", status.String(), out.String())
		}
	})
}

func TestRunCancelledWritesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	got := Run(ctx, fixture("ok.ipynb"), Options{OutputDir: dir})
	if got.Status != Interrupted || got.Output != "" || got.Ran != 0 {
		t.Errorf("summary = %+v, want interrupted with nothing run or written", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "ok.ipynb")); err == nil {
		t.Error("an interrupted run wrote the notebook")
	}
}

// TestCrashReason checks what a summary says of a child that died, from
// the Go runtime's reports in testdata/runner/crash-*.txt (real ones, of
// cells that recursed endlessly or wrote a map from several goroutines).
func TestCrashReason(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string // lines the reason starts with
	}{
		{"crash-stack-overflow.txt", []string{"fatal error: stack overflow (endless or too deep recursion?)", "runtime stack:", "runtime.throw("}},
		{"crash-map-writes.txt", []string{"fatal error: concurrent map access (a map used by several goroutines without a lock)", "goroutine ", "internal/runtime/maps.fatal("}},
		{"crash-panic.txt", []string{"panic: boom [recovered]", "goroutine 1 [running]:", "main.main()", "exit status 2"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(fixture(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(crashReason(string(data)), "\n")
			if len(got) < len(tc.want) || len(got) > crashLines {
				t.Fatalf("reason has %d lines, want %d to %d:\n%s", len(got), len(tc.want), crashLines, strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("line %d = %q, want it to start with %q", i, got[i], w)
				}
			}
		})
	}
	if got := crashReason("line 1\nline 2\nkilled"); got != "line 1\nline 2\nkilled" {
		t.Errorf("without a Go report: %q, want stderr's last lines", got)
	}
}

// TestReadNotebookAddsCellIDs checks that reading a notebook gives every
// cell a valid id unique in the notebook (nbformat 4.5), keeps valid ids,
// replaces missing, invalid and repeated ones the same way on every read,
// and makes the notebook 4.5.
func TestReadNotebookAddsCellIDs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		minor int
		ids   []string // "" for none
		keep  []bool   // which ids must stay
	}{
		{"4.4 without ids", 4, []string{"", "", ""}, []bool{false, false, false}},
		{"some missing", 5, []string{"a", "", "b"}, []bool{true, false, true}},
		{"invalid and repeated", 5, []string{"a", "a", "no spaces", strings.Repeat("x", 65), "ok-_1"}, []bool{true, false, false, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cells []string
			for i, id := range tc.ids {
				field := ""
				if id != "" {
					field = fmt.Sprintf(`"id": %q, `, id)
				}
				cells = append(cells, fmt.Sprintf(`{"cell_type": "code", %s"metadata": {}, "outputs": [], "execution_count": null, "source": "x := %d"}`, field, i))
			}
			path := filepath.Join(t.TempDir(), "ids.ipynb")
			data := fmt.Sprintf(`{"cells": [%s], "metadata": {}, "nbformat": 4, "nbformat_minor": %d}`, strings.Join(cells, ", "), tc.minor)
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			var reads [2][]string
			for r := range reads {
				nb, err := ReadNotebook(path)
				if err != nil {
					t.Fatal(err)
				}
				if nb.NBFormatMinor != 5 {
					t.Errorf("nbformat_minor = %d, want 5", nb.NBFormatMinor)
				}
				seen := map[string]bool{}
				for i, c := range nb.Cells {
					if !regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`).MatchString(c.ID) || seen[c.ID] {
						t.Errorf("cell %d: id %q is invalid or repeated", i, c.ID)
					}
					seen[c.ID] = true
					if tc.keep[i] && c.ID != tc.ids[i] {
						t.Errorf("cell %d: valid id %q replaced by %q", i, tc.ids[i], c.ID)
					}
					reads[r] = append(reads[r], c.ID)
				}
			}
			if !slices.Equal(reads[0], reads[1]) {
				t.Errorf("two reads gave ids %q and %q", reads[0], reads[1])
			}
		})
	}
}
