package front

import (
	"context"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/interp"
)

// TestExecute runs cells through one Notebook, as a front would, and
// checks each Outcome.
func TestExecute(t *testing.T) {
	nb, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		cell  Cell
		value string // the text/plain of the value, "" for none
		err   string // Error.Name, "" for success
		in    string // a substring of Error.Value or the page's text
		intr  bool   // Error.Interrupted
		help  bool
	}{
		{name: "value", cell: Cell{Count: 1, Code: "x := 41\nx + 1"}, value: "42"},
		{name: "no value", cell: Cell{Count: 2, Code: `import "fmt"` + "\nfmt.Sprint(x)\n_ = x"}},
		// The front's count names the cell, whatever ran in between.
		{name: "count from the front", cell: Cell{Count: 7, Code: "var s []int\n_ = s\ny := undefinedName"}, err: "CompileError", in: "In[7]:3:6"},
		{name: "panic", cell: Cell{Count: 8, Code: `panic("boom")`}, err: "panic", in: "boom"},
		{name: "interrupted", ctx: cancelled, cell: Cell{Count: 9, Code: "for {}"}, err: "interrupt", intr: true},
		{name: "state kept", cell: Cell{Count: 10, Code: "x"}, value: "41"},
		{name: "help", cell: Cell{Count: 11, Code: "?fmt.Sprint"}, help: true, in: "func Sprint"},
		{name: "help not found", cell: Cell{Count: 12, Code: "?nosuchname"}, help: true, err: "HelpError", in: "nosuchname"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var out strings.Builder
			tt.cell.IO = interp.IO{Stdout: &out, Stderr: &out}
			o := nb.Execute(ctx, tt.cell)
			if o.Help != tt.help {
				t.Errorf("Help = %v, want %v", o.Help, tt.help)
			}
			if tt.err == "" {
				if o.Err != nil {
					t.Fatalf("error %v; output %q", o.Err, out.String())
				}
			} else {
				if o.Err == nil {
					t.Fatalf("no error, want %s", tt.err)
				}
				if o.Err.Name != tt.err || !strings.Contains(o.Err.Value, tt.in) || o.Err.Interrupted != tt.intr {
					t.Errorf("error %+v, want %s containing %q (interrupted %v)", o.Err, tt.err, tt.in, tt.intr)
				}
				if len(o.Err.Traceback) == 0 {
					t.Error("empty traceback")
				}
			}
			if got := text(o.Value); got != tt.value {
				t.Errorf("value %q, want %q", got, tt.value)
			}
			if tt.help && tt.err == "" && !strings.Contains(text(o.Page), tt.in) {
				t.Errorf("page %q does not contain %q", text(o.Page), tt.in)
			}
		})
	}
}

func text(b display.Bundle) string {
	s, _ := b[display.MIMEText].(string)
	return s
}
