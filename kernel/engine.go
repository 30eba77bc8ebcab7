package kernel

import (
	"context"
	"errors"
	"io"
)

// Engine is what a language must answer for the kernel to serve it. The
// kernel calls Execute, Complete, Inspect and IsComplete from one goroutine
// at a time (the shell handler); Info may be called from any goroutine.
//
// Interrupts are delivered by cancelling the ctx passed to Execute; Execute
// must return soon after ctx is done, with an error for which
// errors.Is(err, ErrInterrupted) holds. context.Cause(ctx) is
// ErrInterrupted for an interrupt, context.Canceled when the server stops.
// The kernel does not cancel ctx when Execute returns: work the cell
// started may keep watching it, and it is done only if the cell was
// interrupted while running, or when the server stops.
type Engine interface {
	// Info describes the language for kernel_info_reply.
	Info() LanguageInfo
	// Execute runs one cell. Output goes to cell while it runs (and may keep
	// going there after Execute returns, from goroutines the cell started).
	// A nil *Result with a nil error means the cell has no value to show.
	// A failed cell returns an error; *ExecError carries the
	// ename/evalue/traceback shown to the user.
	Execute(ctx context.Context, code string, cell Cell) (*Result, error)
	// IsComplete reports "complete", "incomplete" (with the indent for the
	// next line), "invalid" or "unknown".
	IsComplete(code string) (status, indent string)
	// Complete returns completions at cursor, a position counted in
	// Unicode code points as the protocol says.
	Complete(code string, cursor int) Completion
	// Inspect describes the identifier at cursor (code points). found is
	// false when there is nothing to say.
	Inspect(code string, cursor, detail int) (bundle MIMEBundle, found bool)
}

// Cell is the part of one execute_request that an Engine may use: writers
// whose bytes become stream messages parented to the request, and the stdin
// channel. A Cell stays valid after its request has been answered, so that
// late output from goroutines still reaches the cell that caused it.
type Cell interface {
	// ExecutionCount is the number the frontend shows for the request
	// (In[n]): the stored cell's new count, or for a silent request the
	// count it would get; user_expressions get the current
	// execution_count. An Engine names the cell by
	// it, rather than counting calls itself, so that silent requests never
	// shift the names users see.
	ExecutionCount() int
	Stdout() io.Writer
	Stderr() io.Writer
	// Input asks the frontend for one line of input (input_request on the
	// stdin socket). It returns ErrNoStdin when the request did not allow
	// stdin, and ErrInterrupted if the cell was interrupted while waiting.
	Input(prompt string, password bool) (string, error)
	// Display publishes display_data parented to the request, or
	// update_display_data when d.Update is set.
	Display(d Display) error
	// ClearOutput publishes clear_output: the frontend clears the cell's
	// output, at once or, with wait, when the next output arrives.
	ClearOutput(wait bool) error
	// Flush returns when everything written to Stdout and Stderr before the
	// call has been handed to the iopub socket.
	Flush()
	// Comm sends a comm message (comm_open, comm_msg, comm_close) to the
	// frontends, parented to the request. It fails for a comm_msg on a
	// comm that is not open. See Comms for the other direction.
	Comm(m CommMessage) error
}

// Display is one rich output of a cell.
type Display struct {
	Data     MIMEBundle
	Metadata map[string]any
	// ID is the display id (transient.display_id): outputs shown under an
	// ID are redrawn by a later Display with Update set and the same ID.
	ID string
	// Update makes this an update_display_data message, which replaces
	// what outputs with ID show; it needs an ID.
	Update bool
}

// MIMEBundle maps MIME types ("text/plain", "text/html", ...) to data.
type MIMEBundle map[string]any

// Result is a cell's value, shown as execute_result, and what else the
// execute_reply carries.
type Result struct {
	Data     MIMEBundle
	Metadata map[string]any
	// Page, when set, is shown in the frontend's pager (a "page" payload
	// of execute_reply), as IPython shows help for "?name". A Result with
	// only a Page publishes no execute_result.
	Page MIMEBundle
}

// ExecError is a failed cell as the frontend shows it.
type ExecError struct {
	Name      string   // ename, e.g. "panic", "CompileError", "KeyboardInterrupt"
	Value     string   // evalue
	Traceback []string // lines shown by the frontend; may hold ANSI colours
}

func (e *ExecError) Error() string { return e.Name + ": " + e.Value }

// LanguageInfo is the language_info part of kernel_info_reply plus the
// banner and help links.
type LanguageInfo struct {
	Name           string
	Version        string
	MIMEType       string
	FileExtension  string
	PygmentsLexer  string
	CodeMirrorMode string
	Banner         string
	HelpLinks      []HelpLink
	Implementation string
	ImplVersion    string
}

// Content returns the language_info object as kernel_info_reply carries it
// (and as nbclient copies it into an executed notebook's metadata).
func (l LanguageInfo) Content() map[string]any {
	return map[string]any{
		"name":            l.Name,
		"version":         l.Version,
		"mimetype":        l.MIMEType,
		"file_extension":  l.FileExtension,
		"pygments_lexer":  l.PygmentsLexer,
		"codemirror_mode": l.CodeMirrorMode,
	}
}

// HelpLink is one entry of kernel_info_reply's help_links.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Completion is the content of complete_reply, cursor positions in code points.
type Completion struct {
	Matches     []string
	CursorStart int
	CursorEnd   int
	Metadata    map[string]any
}

var (
	// ErrInterrupted is returned by Execute and Cell.Input when the cell was
	// interrupted (interrupt_request or SIGINT).
	ErrInterrupted = errors.New("interrupted")
	// ErrNoStdin is returned by Cell.Input when the request set allow_stdin false.
	ErrNoStdin = errors.New("this frontend does not support input requests (allow_stdin is false)")
)
