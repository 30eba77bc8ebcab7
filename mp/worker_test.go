package mp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Targets named "loop..." are run by testRunner's Loop, a compiled
// stand-in for interp's Session.Loop: one call per chunk, printing a line
// per chunk so that tests see that the worker used it. Other targets are
// refused, and the worker calls them item by item.
func loopSquare(n int) int            { return n * n }
func loopPanicAt(n int) int           { return panicAt(n) }
func loopFailAt(n int) (int, error)   { return failAt(n) }
func loopStruct(p point) point        { p.X *= 2; return p }
func loopString(s string) string      { return strings.ToUpper(s) }
func loopSlice(xs []int) (int, error) { return len(xs), nil }

// fastSquare has a typed loop, as a compiled worker's targets do.
func fastSquare(n int) int { return n * n }

func init() {
	for name, f := range map[string]any{
		"loopSquare": loopSquare, "loopPanicAt": loopPanicAt, "loopFailAt": loopFailAt,
		"loopStruct": loopStruct, "loopString": loopString, "loopSlice": loopSlice,
		"fastSquare": fastSquare,
	} {
		funcs[name] = f
	}
}

var anyType = reflect.TypeFor[any]()

// Loop implements the worker's looper for the "loop..." targets.
func (testRunner) Loop(name string) (reflect.Value, error) {
	if name == "fastSquare" {
		// A typed loop, as compiled workers have (compiledworker.Loop).
		return reflect.ValueOf(func(xs []int) (out []int, failed bool, recovered any, err error) {
			out = make([]int, 0, len(xs))
			for _, x := range xs {
				out = append(out, fastSquare(x))
			}
			return out, false, nil, nil
		}), nil
	}
	f, ok := funcs[name]
	if !ok || !strings.HasPrefix(name, "loop") {
		return reflect.Value{}, fmt.Errorf("no loop for %s", name)
	}
	fv := reflect.ValueOf(f)
	lt := reflect.FuncOf([]reflect.Type{reflect.SliceOf(fv.Type().In(0))},
		[]reflect.Type{reflect.SliceOf(fv.Type().Out(0)), reflect.TypeFor[bool](), anyType, errorType}, false)
	return reflect.MakeFunc(lt, func(args []reflect.Value) []reflect.Value {
		xs := args[0]
		fmt.Printf("loop of %d items\n", xs.Len())
		out := reflect.MakeSlice(lt.Out(0), 0, xs.Len())
		failed, recovered, err := false, reflect.Zero(anyType), reflect.Zero(errorType)
		func() {
			defer func() {
				if failed && err.IsNil() {
					p := recover()
					recovered = reflect.ValueOf(&p).Elem()
				}
			}()
			for i := range xs.Len() {
				failed = true
				res := fv.Call([]reflect.Value{xs.Index(i)})
				if len(res) == 2 && !res[1].IsNil() {
					err = res[1]
					return
				}
				failed = false
				out = reflect.Append(out, res[0])
			}
		}()
		return []reflect.Value{out, reflect.ValueOf(failed), recovered, err}
	}), nil
}

// TestPoolLoop checks that a pool worker runs a chunk through its
// runner's loop when it has one: the same results, output and errors (with
// the failing item's index) as item by item, and item by item otherwise.
func TestPoolLoop(t *testing.T) {
	newCell(t) // NewPool runs in a live cell: an interrupted one stops it
	pool := NewPool(2, WithChunkSize(4))
	defer pool.Terminate()
	xs := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		name  string
		fn    any
		items any
		want  string // the results, or the error's text
		loops []int  // the chunks run by the loop
	}{
		{"squares", loopSquare, xs, "[0 1 4 9 16 25 36 49 64 81]", []int{4, 4, 2}},
		{"not a loop target", square, xs, "[0 1 4 9 16 25 36 49 64 81]", nil},
		{"strings", loopString, []string{"a", "b"}, "[A B]", []int{2}},
		{"struct", loopStruct, []point{{X: 1, Label: "p"}, {X: 2}}, "[{2 0 p 0} {4 0  0}]", []int{2}},
		{"slices with error result", loopSlice, [][]int{{1}, {1, 2}, nil}, "[1 2 0]", []int{3}},
		{"single item chunk", loopSquare, []int{3}, "[9]", nil},
		{"panic at item 5", loopPanicAt, xs, "mp: loopPanicAt (item 5) panicked: boom at 5\n\ntraceback of boom at 5", []int{4, 4, 2}},
		{"error at item 3", loopFailAt, xs, "mp: loopFailAt (item 3): three is not allowed", []int{4, 4, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, _ := newCell(t)
			got, err := pool.Map(tc.fn, tc.items)
			text := fmt.Sprint(got)
			if err != nil {
				text = err.Error()
			}
			if !strings.HasPrefix(text, tc.want) {
				t.Errorf("Map = %s, want %s", text, tc.want)
			}
			// Everything a chunk printed reached the cell before Map returned.
			var want []string
			for _, n := range tc.loops {
				want = append(want, fmt.Sprintf("loop of %d items\n", n))
			}
			lines := strings.SplitAfter(stdout.String(), "\n")
			lines = lines[:len(lines)-1]
			if len(lines) != len(want) {
				t.Fatalf("stdout %q, want the lines %q in any order", lines, want)
			}
			for _, w := range want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %q lacks %q", stdout.String(), w)
				}
			}
		})
	}
}
