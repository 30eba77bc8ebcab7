package check

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/messages.golden")

type point struct {
	X, Y int
}

type stamp struct{ When time.Time }

// failureOf runs fn and returns the message of the check that failed in
// it, or "" when none did.
func failureOf(t *testing.T, fn func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		f, ok := r.(*Failure)
		if !ok {
			t.Fatalf("panic %v (%T), want a *Failure", r, r)
		}
		msg = f.CellErrorName() + ": " + f.Error()
	}()
	fn()
	return ""
}

// messageCases are the failing checks whose messages the golden file
// holds, in its order.
var messageCases = []struct {
	name string
	fn   func()
}{
	{"equal ints", func() { Equal(5, 6) }},
	{"equal strings", func() { Equal("abc", "abd") }},
	{"equal with description", func() { Equal(2+2, 5, "sum of ", 2, " and 2") }},
	{"equal int64 and float", func() { Equal(int64(3), 3.5) }},
	{"equal same text, other types", func() { Equal([]int32{3}, []int64{3}) }},
	{"equal nil and value", func() { Equal(nil, 1) }},
	{"equal slices", func() { Equal([]int{1, 2, 4}, []int{1, 2, 3}) }},
	{"equal slice longer", func() { Equal([]string{"a", "b", "c"}, []string{"a", "b"}) }},
	{"equal slice shorter", func() { Equal([]string{"a"}, []string{"a", "b"}) }},
	{"equal nil slice", func() { Equal([]int(nil), []int{1}) }},
	{"equal maps", func() { Equal(map[string]int{"a": 1, "b": 2, "d": 4}, map[string]int{"a": 1, "b": 3, "c": 3}) }},
	{"equal structs", func() { Equal(point{1, 2}, point{1, 3}) }},
	{"equal pointers to structs", func() { Equal(&point{1, 2}, &point{0, 2}) }},
	{"equal nested", func() {
		Equal(map[string][]point{"p": {{1, 2}}}, map[string][]point{"p": {{1, 2}, {3, 4}}})
	}},
	{"equal fields yaegi exported", func() {
		type notebookStruct = struct {
			A  int
			Xm map[string]int
		}
		Equal(notebookStruct{1, map[string]int{"a": 1}}, notebookStruct{1, map[string]int{"a": 2}})
	}},
	{"equal stringer fields", func() {
		Equal(stamp{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, stamp{time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC)})
	}},
	{"equal many differences", func() { Equal(make([]int, 12), []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}) }},
	{"equal long value", func() { Equal(strings.Repeat("ab", 150), "") }},
	{"equal errors", func() { Equal(errors.New("boom"), errors.New("bang")) }},
	{"true", func() { True(false, "the queue is empty") }},
	{"true formatted", func() { True(1 > 2, "want ", 1, " > ", 2) }},
	{"true without message", func() { True(false) }},
	{"near", func() { Near(3.2, 3.14, 0.01) }},
	{"near ints", func() { Near(10, 12, 1) }},
	{"near NaN", func() { Near(0.0/zero, 1.0, 0.5) }},
	{"near not a number", func() { Near("3", 3, 0.1) }},
	{"panics", func() { Panics(func() {}) }},
	{"panics nil", func() { Panics(nil) }},
	{"panics with a failed check inside", func() { Panics(func() { Equal(1, 2) }) }},
	{"output", func() { Output(func() { fmt.Println("hello") }, "hello, world\n") }},
	{"output second line", func() { Output(func() { fmt.Print("a\nb\nc\n") }, "a\nx\nc\n") }},
	{"output missing line", func() { Output(func() { fmt.Print("a\n") }, "a\nb\n") }},
	{"output nothing", func() { Output(func() {}, "ready\n") }},
	{"within", func() { Within(10*time.Millisecond, func() { time.Sleep(time.Hour) }) }},
	{"within a failed check inside", func() { Within(time.Hour, func() { True(false, "inside") }) }},
}

var zero = 0.0

// TestMessages compares the message of every failing check with
// testdata/messages.golden (go test ./check -update rewrites it).
func TestMessages(t *testing.T) {
	var b strings.Builder
	for _, c := range messageCases {
		msg := failureOf(t, c.fn)
		if msg == "" {
			t.Errorf("%s: the check passed, want it to fail", c.name)
		}
		fmt.Fprintf(&b, "== %s\n%s\n", c.name, msg)
	}
	golden := filepath.Join("testdata", "messages.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("messages differ from %s (go test ./check -update rewrites it):\n%s", golden, b.String())
	}
}

// TestPass runs checks that hold: none may fail.
func TestPass(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"equal", func() { Equal([]int{1, 2}, []int{1, 2}) }},
		{"equal numbers of other types", func() { Equal(int64(6), 6) }},
		{"equal uint and int", func() { Equal(uint8(200), 200) }},
		{"equal float and int", func() { Equal(2.0, 2) }},
		{"equal maps", func() { Equal(map[string]int{"a": 1}, map[string]int{"a": 1}) }},
		{"equal nil", func() { Equal(nil, nil) }},
		{"true", func() { True(true, "never shown") }},
		{"near", func() { Near(3.14159, 3.14, 0.01) }},
		{"near float32", func() { Near(float32(0.5), 0.5, 0) }},
		{"panics", func() { Panics(func() { panic("x") }) }},
		{"output", func() { Output(func() { fmt.Println("hi") }, "hi\n") }},
		{"within", func() { Within(time.Hour, func() {}) }},
	} {
		if msg := failureOf(t, c.fn); msg != "" {
			t.Errorf("%s: %s", c.name, msg)
		}
	}
}

// TestPanicPassesThrough checks that Within and Output re-raise a panic
// of fn that is not theirs, and that Output restores os.Stdout.
func TestPanicPassesThrough(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"within", func() { Within(time.Hour, func() { panic("boom") }) }},
		{"output", func() { Output(func() { panic("boom") }, "") }},
	} {
		orig := os.Stdout
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("%s: recovered %v, want boom", c.name, r)
				}
			}()
			c.fn()
		}()
		if os.Stdout != orig {
			t.Errorf("%s: os.Stdout not restored", c.name)
		}
	}
}
