package interp

import (
	"strings"
	"testing"
)

// TestErrorsIs checks that errors.Is follows a notebook error type's
// Unwrap (one error or several) and asks its Is method, as go run does
// (the answers are go run's), and that sentinels of a notebook error type
// compare by identity.
func TestErrorsIs(t *testing.T) {
	decls := `import ("errors"; "fmt"; "io")
var ErrEmpty = errors.New("empty")
type VE struct { Field string; Err error }
func (e *VE) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *VE) Unwrap() error { return e.Err }
type Code int
func (c Code) Error() string { return fmt.Sprint("code ", int(c)) }
func (c Code) Is(t error) bool { return t == io.EOF && c == 7 }
type Multi struct{ errs []error }
func (m *Multi) Error() string { return "multi" }
func (m *Multi) Unwrap() []error { return m.errs }
var ErrSentinel = &VE{"s", io.ErrClosedPipe}`
	for _, tc := range []struct{ name, code, want string }{
		{"Unwrap", "var err error = &VE{\"name\", ErrEmpty}\nerrors.Is(err, ErrEmpty)", "=true"},
		{"Unwrap under %w", "errors.Is(fmt.Errorf(\"ctx: %w\", &VE{\"name\", ErrEmpty}), ErrEmpty)", "=true"},
		{"not in the chain", "errors.Is(fmt.Errorf(\"ctx: %w\", &VE{\"name\", ErrEmpty}), io.EOF)", "=false"},
		{"nil", "fmt.Print(errors.Is(nil, nil), errors.Is(nil, ErrEmpty))", "true false"},
		{"Is method", "fmt.Print(errors.Is(Code(7), io.EOF), errors.Is(Code(3), io.EOF))", "true false"},
		{"Join and Unwrap []error", "var err error = &VE{\"n\", ErrEmpty}\nfmt.Print(errors.Is(errors.Join(io.EOF, err), ErrEmpty), errors.Is(&Multi{[]error{io.EOF, err}}, ErrEmpty))", "true true"},
		{"notebook sentinel", "fmt.Print(errors.Is(fmt.Errorf(\"x: %w\", ErrSentinel), ErrSentinel), errors.Is(ErrSentinel, io.ErrClosedPipe), errors.Is(&VE{\"s\", io.ErrClosedPipe}, ErrSentinel))", "true true false"},
		{"in a func", "func found(err error) bool { return errors.Is(err, ErrEmpty) }\nfound(&VE{\"f\", ErrEmpty})", "=true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{decls, tc.code})
			if got[1] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, strings.Join(got, " | "), tc.want)
			}
		})
	}
}
