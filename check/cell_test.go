package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/interp"
)

// TestInCells runs checks in notebook cells, as the kernel and gomp run
// do, with and without fd capture: a failed check is a CheckError naming
// the cell line of the test, with no stack, and check.Output captures
// what interpreted and compiled code print (compiled writes to
// os.Stdout reach the cell only through the capture).
func TestInCells(t *testing.T) {
	for _, captureFDs := range []bool{false, true} {
		nb, err := front.Open(front.Options{CaptureFDs: captureFDs})
		if err != nil {
			t.Fatal(err)
		}
		cells := []struct {
			code      string
			ename     string
			traceback string // the error's traceback, lines joined by \n
			stdout    string
			// captured: only with fd capture (compiled code writing to
			// os.Stdout reaches the process's stdout otherwise).
			captured bool
		}{
			{code: `import ("check"; "fmt"; "os")`},
			{code: "check.Equal(2+2, 4)\ncheck.Equal([]int{1, 2, 4}, []int{1, 2, 3})", ename: "CheckError",
				traceback: "CheckError: check.Equal: got [1 2 4], want [1 2 3] at In[2]:2\n  [2]: got 4, want 3"},
			{code: "func half(n int) int { return n / 3 }\n\nfunc testHalf() {\n\tcheck.Equal(half(10), 5, \"half(10)\")\n}\n\ntestHalf()", ename: "CheckError",
				traceback: "CheckError: check.Equal: half(10): got 3, want 5 at In[3]:7"},
			{code: "fmt.Println(\"before\")\ncheck.Output(func() { fmt.Println(\"hi\") }, \"hi\\n\")\nfmt.Println(\"after\")", stdout: "before\nafter\n"},
			{code: "check.Output(func() { fmt.Print(\"in\"); fmt.Fprintln(os.Stdout, \"terp\") }, \"in\\nterp\\n\")", ename: "CheckError",
				traceback: "CheckError: check.Output: the function printed \"interp\\n\", want \"in\\nterp\\n\" at In[5]:1\n  line 1: got \"interp\\n\", want \"in\\n\"", captured: true},
			{code: "check.Panics(func() { var m map[string]int; m[\"a\"] = 1 })\ncheck.True(1 > 2, \"one is not more than two\")", ename: "CheckError",
				traceback: "CheckError: check.True: one is not more than two at In[6]:2"},
			{code: "type account struct {\n\tOwner string\n\tbalance int\n}\n\ncheck.Equal(account{\"ada\", 3}, account{\"ada\", 4})", ename: "CheckError",
				traceback: "CheckError: check.Equal: got {Owner:\"ada\" balance:3}, want {Owner:\"ada\" balance:4} at In[7]:6\n  .balance: got 3, want 4"},
		}
		for i, c := range cells {
			if c.captured && !captureFDs {
				continue
			}
			var out strings.Builder
			o := nb.Execute(context.Background(), front.Cell{Count: i + 1, Code: c.code, IO: interp.IO{Stdout: &out}})
			switch {
			case c.ename == "" && o.Err != nil:
				t.Errorf("capture %v, cell %d: %s: %s", captureFDs, i+1, o.Err.Name, o.Err.Value)
			case c.ename != "" && o.Err == nil:
				t.Errorf("capture %v, cell %d: no error, want %s", captureFDs, i+1, c.ename)
			case c.ename != "":
				if o.Err.Name != c.ename || strings.Join(o.Err.Traceback, "\n") != c.traceback {
					t.Errorf("capture %v, cell %d: %s with traceback\n%s\nwant %s with\n%s", captureFDs, i+1, o.Err.Name, strings.Join(o.Err.Traceback, "\n"), c.ename, c.traceback)
				}
			}
			if out.String() != c.stdout {
				t.Errorf("capture %v, cell %d printed %q, want %q", captureFDs, i+1, out.String(), c.stdout)
			}
		}
		nb.Close()
	}
}
