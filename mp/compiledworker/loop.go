package compiledworker

import (
	"fmt"
	"runtime/debug"
)

// Loop returns the loop an mp worker runs a whole chunk of a target
// f(A) R with (mp's looper): one call per chunk instead of a reflect call
// per item, which for a small target was most of a compiled worker's time.
// out holds the results of the items before the first that panicked.
func Loop[A, R any](f func(A) R) func([]A) ([]R, bool, any, error) {
	return func(xs []A) (out []R, failed bool, recovered any, err error) {
		out = make([]R, 0, len(xs))
		defer catch(&failed, &recovered)
		for _, x := range xs {
			out = append(out, f(x))
		}
		return out, false, nil, nil
	}
}

// LoopErr is Loop for a target f(A) (R, error): the first error ends the
// chunk, as it ends a call item by item.
func LoopErr[A, R any](f func(A) (R, error)) func([]A) ([]R, bool, any, error) {
	return func(xs []A) (out []R, failed bool, recovered any, err error) {
		out = make([]R, 0, len(xs))
		defer catch(&failed, &recovered)
		for _, x := range xs {
			r, err := f(x)
			if err != nil {
				return out, true, nil, err
			}
			out = append(out, r)
		}
		return out, false, nil, nil
	}
}

// catch recovers a panic of a loop's target, with the notebook's frames
// of the stack as it is while the panic unwinds (after the loop returns
// they are gone).
func catch(failed *bool, recovered *any) {
	if p := recover(); p != nil {
		*failed = true
		*recovered = loopPanic{value: p, stack: cellFrames(string(debug.Stack()))}
	}
}

// loopPanic is a panic recovered in a loop, with its frames.
type loopPanic struct {
	value any
	stack string
}

func (p loopPanic) String() string { return fmt.Sprint(p.value) }
