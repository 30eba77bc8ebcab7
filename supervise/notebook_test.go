package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/widgets"
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

// TestComms carries widgets' comm messages across the process boundary:
// a cell's new slider reaches the front's Comm, a frontend's update runs
// the slider's callback in the interpreter, with its output in the cell
// that registered it and the echo back to the front, and an unknown
// target is refused as widgets refuses it.
func TestComms(t *testing.T) {
	n := start(t)
	var mu sync.Mutex
	var sent []widgets.Message
	comm := func(m widgets.Message) error {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, m)
		return nil
	}
	r := &recorder{}
	o := n.Execute(context.Background(), front.Cell{Count: 1, IO: r.io(), Comm: comm, Code: `import ("fmt"; "widgets")
s := widgets.NewIntSlider("n", 0, 10, 3)
s.OnChange(func(old, new int) { fmt.Println("changed", old, new) })`})
	if o.Err != nil {
		t.Fatalf("In[1]: %v", o.Err)
	}
	var slider string
	mu.Lock()
	for _, m := range sent {
		if m.Type == "comm_open" && strings.Contains(string(m.Data), `"IntSliderModel"`) {
			slider = m.CommID
		}
	}
	mu.Unlock()
	if slider == "" {
		t.Fatalf("no IntSliderModel opened toward the front; sent %+v", sent)
	}
	r2 := &recorder{}
	update := widgets.Message{Type: "comm_msg", CommID: slider, Data: json.RawMessage(`{"method":"update","state":{"value":7},"buffer_paths":[]}`)}
	if err := n.Comm(context.Background(), update, front.Cell{Count: 1, IO: r2.io(), Comm: comm}); err != nil {
		t.Fatalf("Comm: %v", err)
	}
	if got := r.out() + r2.out(); got != "changed 3 7\n" {
		t.Errorf("the callback printed %q", got)
	}
	mu.Lock()
	echoed := false
	for _, m := range sent {
		echoed = echoed || m.CommID == slider && strings.Contains(string(m.Data), `"echo_update"`)
	}
	mu.Unlock()
	if !echoed {
		t.Error("no echo_update of the frontend's value")
	}
	o = n.Execute(context.Background(), front.Cell{Count: 2, IO: r.io(), Code: `fmt.Println(s.Value())`})
	if o.Err != nil || !strings.HasSuffix(r.out(), "7\n") {
		t.Errorf("In[2] saw %q, %v", r.out(), o.Err)
	}
	open := widgets.Message{Type: "comm_open", CommID: "x1", Target: "no.such.target", Data: json.RawMessage(`{}`)}
	if err := n.Comm(context.Background(), open, front.Cell{Count: 2, IO: r2.io(), Comm: comm}); !errors.Is(err, widgets.ErrUnknownTarget) {
		t.Errorf("comm_open of an unknown target = %v, want widgets.ErrUnknownTarget", err)
	}
}
