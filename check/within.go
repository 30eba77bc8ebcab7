package check

import (
	"time"
)

// Within checks that fn returns within d. fn runs on a goroutine of its
// own; when the time is up the check fails at once, and fn, which Go
// cannot stop from outside, goes on running until it returns or the
// notebook ends (gomp run --grade runs each submission in a process of
// its own). A panic in fn, a failed check among them, fails Within's cell
// as itself.
func Within(d time.Duration, fn func(), msg ...any) {
	if fn == nil {
		fail("check.Within", nil, "%sthe function is nil", about(msg))
	}
	done := make(chan any, 1)
	go func() {
		var r any
		defer func() { done <- r }()
		defer func() { r = recover() }()
		fn()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-done:
		if r != nil {
			panic(r)
		}
	case <-timer.C:
		fail("check.Within", nil, "%sthe function did not return within %v", about(msg), d)
	}
}
