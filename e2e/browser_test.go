package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/kernelspec"
	"github.com/gomp-kernel/gomp/runner"
)

// browserCells are the cells TestBrowser runs in a real page: rich
// displays (HTML, a table, a chart), a function the Pool's children call,
// the Pool with a progress bar (a widget, as both pages have a widget
// manager), a slider driving an interact function, a button whose Go
// callback reads the slider, and last (Run All stops at an error) a cell
// that panics. testdata/browser/notebook.mjs checks what the page shows
// for them, drags the slider and clicks the button.
var browserCells = []string{
	`import (
	"chart"
	"display"
)

display.Show(display.HTML(` + "`" + `<b id="gomp-html">rendered by gomp</b>` + "`" + `))
display.Show(display.Table{Header: []string{"workers", "seconds"}, Rows: [][]any{{1, 2.0}, {2, 1.1}}})
c := chart.New("gomp chart", "workers", "speedup")
c.Line("measured", []int{1, 2}, []float64{1, 1.8})
c.Line("ideal", []int{1, 2}, []int{1, 2})
c`,
	`import (
	"fmt"

	"mp"
)

func square(n int) int { fmt.Println("child squares", n); return n * n }`,
	`pool := mp.NewPool(2)
out, err := pool.Map(square, []int{1, 2, 3, 4}, mp.WithProgress("squares"))
fmt.Println(out, err)
pool.Close()`,
	`import "widgets"

workers := widgets.NewIntSlider("workers", 1, 8, 2)
widgets.Interact(func(n int) { fmt.Println("interact n =", n) }, workers)`,
	`b := widgets.NewButton("show workers")
b.OnClick(func() { fmt.Println("button saw workers =", workers.Value()) })
b`,
	`var m map[string]int
m["a"] = 1`,
}

// browserError is the error the last cell must show, with its position:
// the last cell run, line 2, column 1.
var browserError = fmt.Sprintf("In[%d]:2:1", len(browserCells))

// browserSummary is the JSON line notebook.mjs prints when every check
// passed.
type browserSummary struct {
	OK         bool     `json:"ok"`
	Seconds    float64  `json:"seconds"`
	Screenshot string   `json:"screenshot"`
	Problems   []string `json:"problems"`
	Found      struct {
		CodeCells  int    `json:"codeCells"`
		Counts     []any  `json:"counts"`
		KernelName string `json:"kernelName"`
		PoolOutput string `json:"poolOutput"`
		ErrorText  string `json:"errorText"`
	} `json:"found"`
	// Widgets are what the page showed after the slider was dragged to
	// its end and the button clicked.
	Widgets *struct {
		Interact string `json:"interact"`
		Button   string `json:"button"`
	} `json:"widgets"`
	// Extras are JupyterLab's further checks: completion, completion and
	// inspection after an emoji, interrupt, restart.
	Extras *struct {
		Completions     []string `json:"completions"`
		EmojiCompletion string   `json:"emojiCompletion"`
		Interrupted     string   `json:"interrupted"`
		Restarted       string   `json:"restarted"`
	} `json:"extras"`
}

// TestBrowser serves a notebook with the venv's JupyterLab 4 and Notebook 7
// and drives each in headless Debian Chromium (testdata/browser/notebook.mjs,
// through playwright-core): pick the "Go (gomp)" kernel, run all cells, then
// check in the page the rendered HTML and table, the SVG chart, the Pool
// children's lines, the progress widget at its end, the slider, interact
// output and button drawn by the widget manager, the last cell's error
// with its position and nothing else in red (nor any error in the
// browser's console, the widget manager's included). It drags the slider
// to its end, which must change the Go value and re-run the interact
// function, and clicks the button, whose Go callback prints the value. In
// JupyterLab it then checks Tab completion (after "mp.", and after an
// emoji), Shift+Tab inspection after an emoji, interrupting "for {}" and
// restarting the kernel. The screenshots go to
// $GOMP_ARTEFACTS/browser-lab.png and browser-notebook.png, else under
// artefacts/.
func TestBrowser(t *testing.T) {
	v := testVenv(t)
	requireTool(t, "/usr/bin/chromium", "--version")
	requireTool(t, "node", "--version")
	browserDir, err := filepath.Abs(filepath.Join(repoRoot, "testdata", "browser"))
	if err != nil {
		t.Fatal(err)
	}
	requireTool(t, "test", "-f", filepath.Join(browserDir, "node_modules", "playwright-core", "package.json"))
	k := installKernel(t)
	artefacts := artefactDir(t)

	for _, app := range []string{"lab", "notebook"} {
		t.Run(app, func(t *testing.T) {
			nbDir := t.TempDir()
			nbName := "browser-" + app + ".ipynb"
			// Without a kernelspec in its metadata the page asks which
			// kernel to start: notebook.mjs picks "Go (gomp)" as a person
			// would.
			if err := writeNotebook(filepath.Join(nbDir, nbName), browserCells); err != nil {
				t.Fatal(err)
			}
			before := gompProcesses(k.bin)
			srv := startJupyterServer(t, k, v, app, nbDir)
			defer srv.stop(t)

			png := filepath.Join(artefacts, "browser-"+app+".png")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			node := exec.CommandContext(ctx, "node", "notebook.mjs", app, srv.url, srv.token, nbName, png)
			node.Dir = browserDir
			var stdout, stderr bytes.Buffer
			node.Stdout, node.Stderr = &stdout, &stderr
			nodeErr := node.Run()
			t.Logf("screenshot: %s", png)
			t.Logf("notebook.mjs stderr:\n%s", stderr.String())

			kernels := srv.kernelPIDs()
			if len(kernels) != 1 {
				t.Errorf("%d gomp kernels ran under the server (pids %v), want 1", len(kernels), kernels)
			}
			if nodeErr != nil {
				t.Errorf("notebook.mjs failed: %v (its stderr above names what the page lacked)\nserver log:\n%s", nodeErr, srv.log.String())
			} else {
				checkBrowserSummary(t, app, stdout.String())
			}
			if _, err := os.Stat(png); err != nil {
				t.Errorf("no screenshot: %v", err)
			}
			saved := filepath.Join(nbDir, nbName)
			if data, err := os.ReadFile(saved); err != nil {
				t.Errorf("read the notebook the page saved: %v", err)
			} else if err := os.WriteFile(filepath.Join(artefacts, nbName), data, 0o644); err != nil {
				t.Errorf("keep the saved notebook: %v", err)
			} else {
				t.Logf("saved notebook: %s", filepath.Join(artefacts, nbName))
			}
			if nodeErr == nil {
				checkSavedNotebook(t, saved)
			}

			srv.stop(t)
			if left := newProcesses(k.bin, before); len(left) > 0 {
				t.Errorf("gomp processes left after the server stopped: %v", left)
			}
		})
	}
}

// artefactDir is where tests keep what a person may want to look at after
// a run: $GOMP_ARTEFACTS, else artefacts/ at the repository root.
func artefactDir(t *testing.T) string {
	t.Helper()
	abs := envOrRepoPath(t, "GOMP_ARTEFACTS", "artefacts")
	if err := os.MkdirAll(abs, 0o755); err != nil {
		t.Fatalf("artefact directory: %v", err)
	}
	return abs
}

// writeNotebook writes a valid nbformat 4.5 notebook holding cells as code
// cells, none run yet, with no kernelspec in its metadata: the page asks
// which kernel to start.
func writeNotebook(path string, cells []string) error {
	type cell struct {
		Type           string            `json:"cell_type"`
		ID             string            `json:"id"`
		Metadata       map[string]any    `json:"metadata"`
		Source         string            `json:"source"`
		ExecutionCount *int              `json:"execution_count"`
		Outputs        []json.RawMessage `json:"outputs"`
	}
	nb := struct {
		Cells         []cell         `json:"cells"`
		Metadata      map[string]any `json:"metadata"`
		NBFormat      int            `json:"nbformat"`
		NBFormatMinor int            `json:"nbformat_minor"`
	}{Metadata: map[string]any{}, NBFormat: 4, NBFormatMinor: 5}
	for i, src := range cells {
		nb.Cells = append(nb.Cells, cell{Type: "code", ID: fmt.Sprintf("cell-%d", i+1), Metadata: map[string]any{}, Source: src, Outputs: []json.RawMessage{}})
	}
	data, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return fmt.Errorf("encode notebook: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write notebook: %w", err)
	}
	return nil
}

// checkBrowserSummary checks the JSON summary notebook.mjs printed last.
func checkBrowserSummary(t *testing.T, app, stdout string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var sum browserSummary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Errorf("notebook.mjs printed no JSON summary: %v\n%s", err, stdout)
		return
	}
	t.Logf("notebook.mjs: %.1fs in the browser, summary %s", sum.Seconds, lines[len(lines)-1])
	if !sum.OK || len(sum.Problems) > 0 {
		t.Errorf("notebook.mjs summary not ok: %q", sum.Problems)
	}
	if sum.Found.CodeCells != len(browserCells) || len(sum.Found.Counts) != len(browserCells) {
		t.Errorf("the page had %d code cells (%d counts), want %d", sum.Found.CodeCells, len(sum.Found.Counts), len(browserCells))
	}
	if sum.Found.KernelName != kernelspec.DisplayName {
		t.Errorf("the page's kernel was %q, want %q", sum.Found.KernelName, kernelspec.DisplayName)
	}
	if !strings.Contains(sum.Found.ErrorText, browserError) {
		t.Errorf("the summary's error text lacks %q: %q", browserError, sum.Found.ErrorText)
	}
	if !strings.Contains(sum.Found.PoolOutput, "[1 4 9 16] <nil>") {
		t.Errorf("the summary's Pool output lacks the result: %q", sum.Found.PoolOutput)
	}
	if w := sum.Widgets; w == nil || !strings.Contains(w.Interact, "interact n = 8") || !strings.Contains(w.Button, "button saw workers = 8") {
		t.Errorf("notebook.mjs did not report the slider driving Go and the button's callback: %+v", sum.Widgets)
	}
	if app == "lab" && (sum.Extras == nil || !slices.Contains(sum.Extras.Completions, "NewPool") || sum.Extras.Interrupted == "" || sum.Extras.Restarted == "") {
		t.Errorf("notebook.mjs did not report JupyterLab's completion and interrupt checks: %+v", sum.Extras)
	}
}

// checkSavedNotebook reads the notebook the page saved through the server
// and checks that it records the gomp kernel, every cell ran, the Pool's
// result is stored, and the only error output is the last cell's panic.
func checkSavedNotebook(t *testing.T, path string) {
	t.Helper()
	nb, err := runner.ReadNotebook(path)
	if err != nil {
		t.Errorf("the saved notebook: %v", err)
		return
	}
	var ks struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(nb.Metadata["kernelspec"], &ks); err != nil || ks.Name != kernelspec.Name {
		t.Errorf("the saved notebook's kernelspec is %s (%v), want name %q", nb.Metadata["kernelspec"], err, kernelspec.Name)
	}
	if len(nb.Cells) != len(browserCells) {
		t.Fatalf("the saved notebook has %d cells, want %d", len(nb.Cells), len(browserCells))
	}
	var stdout strings.Builder
	last := len(nb.Cells) - 1
	errorsSeen := 0
	for i, c := range nb.Cells {
		if c.ExecutionCount == nil || *c.ExecutionCount != i+1 {
			t.Errorf("saved cell %d has execution_count %v, want %d", i+1, c.ExecutionCount, i+1)
		}
		for _, o := range c.Outputs {
			switch {
			case o.OutputType == "error" && i == last:
				errorsSeen++
				if o.EValue != "assignment to entry in nil map" || !strings.Contains(strings.Join(o.Traceback, "\n"), browserError) {
					t.Errorf("saved cell %d's error is %s: %s %q, want the nil map panic at %s", i+1, o.EName, o.EValue, o.Traceback, browserError)
				}
			case o.OutputType == "error":
				t.Errorf("saved cell %d has an error output: %s: %s", i+1, o.EName, o.EValue)
			case o.OutputType == "stream" && o.Name == "stderr":
				t.Errorf("saved cell %d wrote to stderr: %q", i+1, o.Text.String())
			case o.OutputType == "stream" && i == 2:
				stdout.WriteString(o.Text.String())
			}
		}
	}
	if errorsSeen != 1 {
		t.Errorf("the saved last cell has %d error outputs, want 1", errorsSeen)
	}
	if !slices.Contains(strings.Split(stdout.String(), "\n"), "[1 4 9 16] <nil>") {
		t.Errorf("the saved Pool cell's stdout lacks the line %q:\n%s", "[1 4 9 16] <nil>", stdout.String())
	}
}

// jupyterServer is a `jupyter lab` or `jupyter notebook` (Jupyter Server)
// process serving one directory on a free loopback port, with private
// Jupyter directories and settings.
type jupyterServer struct {
	app        string // "lab" or "notebook"
	cmd        *exec.Cmd
	url, token string
	runtimeDir string // JUPYTER_RUNTIME_DIR: the kernels' connection files
	log        *syncBuffer
	done       chan struct{} // closed when the process has exited
	stopOnce   sync.Once
}

// labSettings are user settings for the page, written to a private
// settings directory: no news or update checks (no network, no pop-up over
// the cells), every cell in the DOM (no windowing) so the checks and the
// screenshot see the whole notebook, and no autosave: the notebook on disk
// is the one notebook.mjs saved.
var labSettings = map[string]string{
	"@jupyterlab/docmanager-extension/plugin.jupyterlab-settings":     `{"autosave": false}`,
	"@jupyterlab/apputils-extension/notification.jupyterlab-settings": `{"fetchNews": "false", "checkForUpdates": false}`,
	"@jupyterlab/notebook-extension/tracker.jupyterlab-settings":      `{"windowingMode": "none"}`,
}

// startJupyterServer starts the venv's `jupyter lab` or `jupyter notebook`
// (app) on nbDir with the kernel k installed and waits until its API
// answers.
func startJupyterServer(t *testing.T, k kernelInstall, v venv, app, nbDir string) *jupyterServer {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		t.Fatal(err)
	}
	settingsDir := t.TempDir()
	for name, body := range labSettings {
		path := filepath.Join(settingsDir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &jupyterServer{
		app:        app,
		url:        "http://127.0.0.1:" + strconv.Itoa(port),
		token:      hex.EncodeToString(tok),
		runtimeDir: t.TempDir(),
		log:        &syncBuffer{},
		done:       make(chan struct{}),
	}
	s.cmd = exec.Command(v.jupyter(), app, "--no-browser", "--ip=127.0.0.1",
		"--port="+strconv.Itoa(port), "--ServerApp.port_retries=0",
		"--IdentityProvider.token="+s.token, "--ServerApp.root_dir="+nbDir, "--allow-root")
	s.cmd.Env = append(k.jupyterEnv(t, v),
		"HOME="+t.TempDir(),
		"JUPYTER_RUNTIME_DIR="+s.runtimeDir,
		"JUPYTER_CONFIG_DIR="+t.TempDir(),
		"JUPYTERLAB_SETTINGS_DIR="+settingsDir,
		"JUPYTERLAB_WORKSPACES_DIR="+t.TempDir(),
	)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start jupyter %s: %v", app, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/api/status?token=" + s.token)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("jupyter %s exited before answering: %v\n%s", s.app, s.cmd.ProcessState, s.log.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop(t)
			t.Fatalf("jupyter %s did not answer on %s within 60s:\n%s", s.app, s.url, s.log.String())
		}
	}
}

// stop shuts every kernel down through the API, as closing the notebooks
// would, then stops the server with SIGTERM (it shuts down any kernel
// left) and waits for it to exit.
func (s *jupyterServer) stop(t *testing.T) {
	t.Helper()
	s.stopOnce.Do(func() {
		if err := s.deleteSessions(); err != nil {
			t.Errorf("shut the notebook's kernel down: %v", err)
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(60 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
			t.Errorf("jupyter %s did not exit within 60s of SIGTERM:\n%s", s.app, s.log.String())
		}
	})
}

// deleteSessions asks the server to end every session and its kernel.
func (s *jupyterServer) deleteSessions() error {
	resp, err := http.Get(s.url + "/api/sessions?token=" + s.token)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	defer resp.Body.Close()
	var sessions []struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&sessions); err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	var errs []error
	for _, sess := range sessions {
		req, err := http.NewRequest(http.MethodDelete, s.url+"/api/sessions/"+sess.ID+"?token="+s.token, nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			errs = append(errs, fmt.Errorf("delete session %s: %w", sess.ID, err))
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			errs = append(errs, fmt.Errorf("delete session %s: %s", sess.ID, resp.Status))
		}
	}
	return errors.Join(errs...)
}

// kernelPIDs returns the gomp kernels this server started: their
// connection files are in its private runtime directory.
func (s *jupyterServer) kernelPIDs() []int {
	var pids []int
	for pid, argv := range processArgs() {
		if len(argv) >= 3 && argv[1] == "kernel" && strings.HasPrefix(argv[2], s.runtimeDir+string(filepath.Separator)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// gompProcesses returns the live processes running bin (kernels and mp
// workers), by pid.
func gompProcesses(bin string) map[int]string {
	procs := map[int]string{}
	for pid, argv := range processArgs() {
		if argv[0] == bin {
			procs[pid] = strings.Join(argv, " ")
		}
	}
	return procs
}

// newProcesses waits up to ten seconds for every process running bin that
// was not in before to exit, and returns those still alive.
func newProcesses(bin string, before map[int]string) []string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var left []string
		for pid, cmd := range gompProcesses(bin) {
			if _, old := before[pid]; !old {
				left = append(left, fmt.Sprintf("%d: %s", pid, cmd))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processArgs reads the argv of every live (not zombie) process in /proc.
func processArgs() map[int][]string {
	procs := map[int][]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue // gone, or a zombie or kernel thread: no argv
		}
		procs[pid] = strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	}
	return procs
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer is a bytes.Buffer safe for a process's stdout and stderr and
// a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
