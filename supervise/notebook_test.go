package supervise

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/front"
)

// TestCrashRestores kills the interpreter in each way a cell can and checks
// that the cell fails saying why, a new interpreter process holds the
// notebook as of the last cell that succeeded, values over the cap are
// named as lost, and the next cell runs.
func TestCrashRestores(t *testing.T) {
	for _, tc := range []struct {
		name, code, want string
	}{
		{"concurrent map writes", "m := map[int]int{}\nfor g := 0; g < 4; g++ {\n\tgo func() {\n\t\tfor i := 0; ; i++ {\n\t\t\tm[i%100] = i\n\t\t}\n\t}()\n}\nselect {}", "fatal error: concurrent map writes"},
		{"panic in a goroutine compiled code started", "func boom() { panic(\"boom\") }\ntime.AfterFunc(0, boom)\ntime.Sleep(time.Minute)", "panic: boom"},
		{"allocation the system refuses", "huge := make([]byte, 1<<40)\nhuge[0] = 1", "fatal error: runtime: out of memory"},
		{"SIGKILL from outside", "fmt.Println(\"sleeping\")\ntime.Sleep(time.Minute)", "killed by signal SIGKILL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := start(t)
			mustRun(t, n, 1, "import (\n\t\"fmt\"\n\t\"os\"\n\t\"time\"\n)\ntype point struct{ X, Y int }\nkept := point{3, 4}\nbig := make([]byte, 2<<20)\nfunc norm(p point) int { return p.X*p.X + p.Y*p.Y }")
			mustRun(t, n, 2, "kept.X = 5")
			before := n.Pid()
			r := &recorder{}
			if strings.Contains(tc.name, "from outside") {
				go func() {
					for !strings.Contains(r.out(), "sleeping") {
						time.Sleep(10 * time.Millisecond)
					}
					n.Kill()
				}()
			}
			o := n.Execute(context.Background(), front.Cell{Count: 3, Code: "kept.X = 100\n" + tc.code, IO: r.io()})
			if o.Err == nil || o.Err.Name != "InterpreterDied" {
				t.Fatalf("the crashing cell gave %+v, want an InterpreterDied error", o.Err)
			}
			for _, want := range []string{"died while running In[3]", tc.want, "restored the notebook as of In[2]", "values lost: big (value larger than 1048576 bytes)"} {
				if !strings.Contains(o.Err.Value, want) {
					t.Errorf("the error %q lacks %q", o.Err.Value, want)
				}
			}
			if n.Pid() == before {
				t.Errorf("the interpreter's pid is still %d after the crash", before)
			}
			if err := syscall.Kill(before, 0); err == nil {
				t.Errorf("the dead interpreter %d still exists (not reaped)", before)
			}
			r = mustRun(t, n, 4, "fmt.Println(kept, norm(kept), len(big))")
			if got, want := r.out(), "{5 4} 41 0\n"; got != want {
				t.Errorf("after the restore the cell printed %q, want %q", got, want)
			}
		})
	}
}

// TestDiedBetweenCells kills the interpreter while no cell runs: the next
// cell says so in one line of its stderr, and runs in the restored
// notebook.
func TestDiedBetweenCells(t *testing.T) {
	n := start(t)
	mustRun(t, n, 1, "import \"fmt\"\nx := 20")
	// The snapshot follows the cell's reply: kill once it has arrived.
	for n.snapshotCount() != 1 {
		time.Sleep(time.Millisecond)
	}
	before := n.Pid()
	if err := n.Kill(); err != nil {
		t.Fatal(err)
	}
	// The supervisor replaces it at once: completion works before the
	// next cell.
	for n.Pid() == before {
		time.Sleep(time.Millisecond)
	}
	for {
		if matches, _, _ := n.Complete("fmt.Prin", 8); len(matches) > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	r := mustRun(t, n, 2, "fmt.Println(x + 1)")
	if r.out() != "21\n" {
		t.Errorf("the cell after the kill printed %q, want 21", r.out())
	}
	lines := strings.Split(strings.TrimSuffix(r.errOut(), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "died between cells: killed by signal SIGKILL") || !strings.Contains(lines[0], "restored the notebook as of In[1]") {
		t.Errorf("stderr %q, want one line saying the interpreter was killed and restored", r.errOut())
	}
}

// TestNothingToRestore crashes the first cell: a new interpreter starts
// empty and says there was nothing to restore.
func TestNothingToRestore(t *testing.T) {
	n := start(t)
	o, _ := run(t, n, 1, "huge := make([]byte, 1<<40)\nhuge[0] = 1")
	if o.Err == nil || !strings.Contains(o.Err.Value, "nothing to restore") {
		t.Fatalf("got %+v, want an error saying there was nothing to restore", o.Err)
	}
	r := mustRun(t, n, 2, "import \"fmt\"\nfmt.Println(\"fresh\")")
	if r.out() != "fresh\n" {
		t.Errorf("printed %q", r.out())
	}
}

// TestCellIO checks what crosses the process boundary: stdout and stderr
// in order, displays, input requests, the cell's value, help pages,
// compile errors, and the session's introspection.
func TestCellIO(t *testing.T) {
	n := start(t)
	r := mustRun(t, n, 1, "import (\n\t\"display\"\n\t\"fmt\"\n\t\"os\"\n)\nfmt.Println(\"out\")\nfmt.Fprintln(os.Stderr, \"err\")\ndisplay.Show(display.HTML(\"<b>x</b>\"))\nfmt.Print(\"after\")")
	if r.out() != "out\nafter" || r.errOut() != "err\n" {
		t.Errorf("stdout %q, stderr %q", r.out(), r.errOut())
	}
	if len(r.displays) != 1 || r.displays[0].Data["text/html"] != "<b>x</b>" {
		t.Errorf("displays %+v, want one text/html <b>x</b>", r.displays)
	}
	in := &recorder{inputs: []string{"gopher"}}
	o := n.Execute(context.Background(), front.Cell{Count: 2, Code: "var name string\nfmt.Scanln(&name)\n\"hello \" + name", IO: in.io()})
	if o.Err != nil || o.Value["text/plain"] != `"hello gopher"` {
		t.Errorf("input cell gave %+v, %+v", o.Value, o.Err)
	}
	o, _ = run(t, n, 3, "undefinedName + 1")
	if o.Err == nil || !strings.Contains(o.Err.Value, "undefined: undefinedName") {
		t.Errorf("compile error: %+v", o.Err)
	}
	o, _ = run(t, n, 4, "?fmt.Println")
	if !o.Help || !strings.Contains(o.Page["text/plain"].(string), "func Println") {
		t.Errorf("help cell: %+v", o)
	}
	matches, _, _ := n.Complete("fmt.Prin", 8)
	if len(matches) == 0 || matches[0].Text != "Print" {
		t.Errorf("completions %+v", matches)
	}
	if h, found := n.Inspect("name", 4, 0); !found || !strings.Contains(h.Text, "string") {
		t.Errorf("inspect: %+v %v", h, found)
	}
	if status, _ := n.IsComplete("func f() {"); status != "incomplete" {
		t.Errorf("is_complete: %q", status)
	}
	data, err := n.Request("echo", json.RawMessage(`{"a":1}`))
	if err != nil || string(data) != `{"a":1}` {
		t.Errorf("generic request: %s, %v", data, err)
	}
	if _, err := n.Request("nonesuch", nil); err == nil || !strings.Contains(err.Error(), `no handler for "nonesuch"`) {
		t.Errorf("request without a handler: %v", err)
	}
}

// TestInterrupt cancels a cell's context: the interpreter stops the cell
// and the notebook carries on in the same process.
func TestInterrupt(t *testing.T) {
	n := start(t)
	mustRun(t, n, 1, "import \"fmt\"\nx := 1")
	pid := n.Pid()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	r := &recorder{}
	o := n.Execute(ctx, front.Cell{Count: 2, Code: "for {\n\tx++\n}", IO: r.io()})
	if o.Err == nil || !o.Err.Interrupted {
		t.Fatalf("interrupted cell gave %+v, want an interrupted error", o.Err)
	}
	if n.Pid() != pid {
		t.Error("an interrupt replaced the interpreter")
	}
	if r := mustRun(t, n, 3, "fmt.Println(x > 1)"); r.out() != "true\n" {
		t.Errorf("after the interrupt: %q", r.out())
	}
}

// TestCloseEndsInterpreter checks that Close ends the interpreter process.
func TestCloseEndsInterpreter(t *testing.T) {
	n := start(t)
	mustRun(t, n, 1, "x := 1")
	pid := n.Pid()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("interpreter %d still exists after Close", pid)
	}
}

// TestNotifications carries a generic notification for a front's cell
// both ways, as comm messages will travel: the handler's output reaches
// that cell, and its notification back comes with the cell's origin.
func TestNotifications(t *testing.T) {
	type heard struct {
		origin any
		name   string
		data   string
	}
	got := make(chan heard, 1)
	n := startWith(t, Options{OnNotify: func(origin any, name string, data json.RawMessage) {
		got <- heard{origin, name, string(data)}
	}})
	r := &recorder{}
	if err := n.NotifyFor(front.Cell{IO: r.io()}, "comm-request-1", "say", json.RawMessage(`"hi"`)); err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-got:
		if h != (heard{"comm-request-1", "heard", `"hi"`}) {
			t.Errorf("the kernel heard %+v", h)
		}
	case <-time.After(time.Minute):
		t.Fatal("no notification back")
	}
	// The handler wrote before it notified, on the same pipe.
	if r.out() != "said \"hi\"\n" {
		t.Errorf("the cell got %q", r.out())
	}
}
