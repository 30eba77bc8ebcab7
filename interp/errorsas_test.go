package interp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
)

// TestErrorsAsCompiled checks that errorsAs answers as errors.As for
// compiled error types (the notebook's own are in testdata/cells/program.txtar).
func TestErrorsAsCompiled(t *testing.T) {
	_, openErr := os.Open("/no/such/file")
	wrapped := fmt.Errorf("load: %w", openErr)
	for _, err := range []error{nil, openErr, wrapped, errors.Join(errors.New("x"), wrapped), errors.New("plain")} {
		var want, got *fs.PathError
		var wantI, gotI interface{ Timeout() bool }
		if a, b := errors.As(err, &want), errorsAs(err, &got); a != b || want != got {
			t.Errorf("%v: errors.As %v %v, errorsAs %v %v", err, a, want, b, got)
		}
		if a, b := errors.As(err, &wantI), errorsAs(err, &gotI); a != b || wantI != gotI {
			t.Errorf("%v: interface target: errors.As %v, errorsAs %v", err, a, b)
		}
	}
}

// TestNotebookErrorsToFmt checks a notebook error value passed to fmt by
// its own type: fmt sees an error (Errorf's %w wraps it, %s prints its
// Error), as go run does.
func TestNotebookErrorsToFmt(t *testing.T) {
	decl := "type NotFound struct{ Key string }\nfunc (e *NotFound) Error() string { return \"not found: \" + e.Key }\ntype Both struct{}\nfunc (Both) Error() string { return \"error\" }\nfunc (Both) String() string { return \"string\" }"
	for _, tc := range []struct{ name, code, want string }{
		{"errors.As through %w", "var nf *NotFound\nok := errors.As(fmt.Errorf(\"lookup: %w\", &NotFound{\"u\"}), &nf)\nfmt.Print(ok, \" \", nf.Key)", "true u"},
		{"errors.Unwrap", "w := errors.Unwrap(fmt.Errorf(\"x: %w\", &NotFound{\"v\"}))\nnf, ok := w.(*NotFound)\nfmt.Print(ok, \" \", nf.Key)", "true v"},
		{"errors.AsType", "nf, ok := errors.AsType[*NotFound](fmt.Errorf(\"%w\", &NotFound{\"t\"}))\nfmt.Print(ok, \" \", nf.Key)", "true t"},
		{"message", "fmt.Print(fmt.Errorf(\"lookup: %w\", &NotFound{\"m\"}))", "lookup: not found: m"},
		{"Printf %s", "fmt.Printf(\"%s|%v\", &NotFound{\"s\"}, &NotFound{\"v\"})", "not found: s|not found: v"},
		{"Error before String", "fmt.Print(Both{}, \" \")\nfmt.Printf(\"%v %s\", Both{}, Both{})", "error error error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"errors\"\nimport \"fmt\"", decl, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}
