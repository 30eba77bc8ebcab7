package check

import (
	"fmt"
	"strings"
)

// Failure is the panic value of a failed check. gomp's interpreter shows
// it as an error named by CellErrorName, with Error as its message and
// without a stack trace.
type Failure struct {
	// Check is the check that failed: "check.Equal", "check.True", ...
	Check string
	// Message says what was wrong, on one line.
	Message string
	// Detail holds further lines: one per difference for Equal.
	Detail []string
}

// Error returns the check, its message and the detail lines, one per line.
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Check + ": " + f.Message)
	for _, d := range f.Detail {
		b.WriteString("\n  " + d)
	}
	return b.String()
}

// CellErrorName is the name a notebook shows for the failure (the ename
// of the cell's error output): "CheckError".
func (f *Failure) CellErrorName() string { return "CheckError" }

// fail stops the calling cell with a Failure.
func fail(check string, detail []string, format string, a ...any) {
	panic(&Failure{Check: check, Message: fmt.Sprintf(format, a...), Detail: detail})
}

// about joins a check's optional description (the caller's extra
// arguments, as fmt.Sprint joins them) into a prefix for its message.
func about(msg []any) string {
	if len(msg) == 0 {
		return ""
	}
	return fmt.Sprint(msg...) + ": "
}
