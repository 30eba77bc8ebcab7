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
