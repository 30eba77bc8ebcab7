package interp

import (
	"fmt"
	"runtime"
	"time"
)

// MaxStackFrames bounds the depth of a goroutine running notebook code:
// a goroutine found calling a notebook function with more Go frames than
// this on its stack stops the interpreted code, which fails with a
// *RecursionError (see stopDeep). yaegi uses two Go
// frames per interpreted call, so this is about 100,000 nested calls of
// notebook functions (about 60 MB of stack), where Go's own limit (1 GB,
// a fatal error that ends the process) would take seconds and gigabytes
// to reach.
const MaxStackFrames = 200_000

// depthPeriod is how often the depth of a goroutine running notebook
// code is checked. A check walks the stack (100 to 300 ns a frame, so up
// to tens of ms at the limit), so the next one waits depthCostRatio times
// as long as the last one took, up to depthMaxPeriod: checks cost about
// 1/depthCostRatio of the time for code running just below the limit, and
// nothing measurable for ordinary code. Runaway recursion (about 400,000
// calls a second) overshoots the limit by at most about 60 MB of stack
// before it is seen.
const (
	depthPeriod    = 50 * time.Millisecond
	depthMaxPeriod = 250 * time.Millisecond
	depthCostRatio = 10
)

// RecursionError is how a call made too deep in the stack fails: runaway
// recursion ends as an ordinary cell error (or a failed mp call) before
// the Go runtime's fatal "stack overflow", and the session stays usable.
type RecursionError struct {
	// Func is the notebook function being called ("Type.Method" for a
	// method, "" for a func literal).
	Func string
	// Frames is MaxStackFrames, the limit that was exceeded.
	Frames int
	// Pos is where Func is declared, "In[n]:line:col", when known.
	Pos string
}

// Error reads like the Go runtime's errors, as a panic in a cell shows it.
func (e *RecursionError) Error() string {
	fn := "a func literal"
	if e.Func != "" {
		fn = e.Func
	}
	return fmt.Sprintf("runtime error: maximum recursion depth exceeded in %s (over %d Go stack frames, about %d nested calls)", fn, e.Frames, e.Frames/2)
}

// RuntimeError marks a RecursionError as a runtime.Error, like the
// runtime's own index and nil-pointer errors.
func (e *RecursionError) RuntimeError() {}

var _ runtime.Error = (*RecursionError)(nil)

// The depth check rides on the probe: the probe's flag, which every
// notebook function tests on entry, is also raised by a timer every
// depthPeriod. The next call of a notebook function on any goroutine then
// enters hit, which lowers the flag, measures its own goroutine's depth
// and re-arms the timer. Calls between two checks pay nothing beyond the
// probe's test, and an idle session has no timer running.

// startDepthChecks arms the first check.
func (p *prober) startDepthChecks() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timer = time.AfterFunc(depthPeriod, p.requestCheck)
}

// stopDepthChecks stops the timer; a check already requested still runs
// at the next call.
func (p *prober) stopDepthChecks() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	if p.timer != nil {
		p.timer.Stop()
	}
}

// requestCheck raises the flag for the next call of a notebook function.
// It waits for a running Target probe, which holds mu and lowers the flag
// to p.checkDue when it ends.
func (p *prober) requestCheck() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checkDue = true
	p.flag = true
	p.on.Store(true)
}

// checkDepth runs in hit, on a goroutine calling the notebook function
// fn while a check is due (and no Target probe runs): it takes the check,
// calls onDeep if the goroutine is too deep, and arms the timer for the
// next one.
func (p *prober) checkDepth(fn string) {
	if !p.mu.TryLock() {
		return // a probe is running, or another goroutine takes the check
	}
	if !p.checkDue {
		p.mu.Unlock()
		return
	}
	p.checkDue = false
	p.flag = false
	p.on.Store(false)
	p.mu.Unlock()

	start := time.Now()
	var pc [1]uintptr
	deep := runtime.Callers(MaxStackFrames, pc[:]) > 0
	next := min(max(depthPeriod, depthCostRatio*time.Since(start)), depthMaxPeriod)

	p.mu.Lock()
	if !p.stopped {
		p.timer.Reset(next)
	}
	p.mu.Unlock()
	if deep {
		p.onDeep(&RecursionError{Func: fn, Frames: MaxStackFrames})
	}
}
