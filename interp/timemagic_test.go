package interp

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"testing"
	"time"
)

func TestCutTimeMagic(t *testing.T) {
	for _, tc := range []struct {
		code, rest string
		timed      bool
	}{
		{"%%time\nx := 1", "\nx := 1", true},
		{"  %%time  \nx := 1\ny := 2", "\nx := 1\ny := 2", true},
		{"%%time", "", true},
		{"x := 1\n%%time", "x := 1\n%%time", false},
		{"%%timeit\nx := 1", "%%timeit\nx := 1", false},
	} {
		rest, timed := cutTimeMagic(tc.code)
		if rest != tc.rest || timed != tc.timed {
			t.Errorf("cutTimeMagic(%q) = %q, %v; want %q, %v", tc.code, rest, timed, tc.rest, tc.timed)
		}
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1234567890 * time.Nanosecond: "1.23 s",
		412 * time.Millisecond:       "412 ms",
		3500 * time.Nanosecond:       "3.5 µs",
		12:                           "12 ns",
		0:                            "0 ns",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestTimeMagic runs %%time cells: the times follow the cell's output, the
// value is still shown, and errors keep the user's line numbers and print
// no times.
func TestTimeMagic(t *testing.T) {
	s := newTestSession(t)
	var out bytes.Buffer
	v, err := s.Execute(context.Background(), "%%time\nimport \"fmt\"\nfmt.Println(\"work\")\n6 * 7", IO{Name: "In[1]", Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`^work\nCPU times: user [0-9.]+ (s|ms|µs|ns), sys: [0-9.]+ (s|ms|µs|ns), total: [0-9.]+ (s|ms|µs|ns)\nWall time: [0-9.]+ (s|ms|µs|ns)\n$`)
	if !want.MatchString(out.String()) || v.Text != "42" {
		t.Errorf("output %q, value %q", out.String(), v.Text)
	}
	out.Reset()
	_, err = s.Execute(context.Background(), "%%time\nnoSuchName + 1", IO{Name: "In[2]", Stdout: &out})
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want a *CellError", err)
	}
	if ce.Line != 2 || out.Len() != 0 {
		t.Errorf("error %v (line %d), output %q; want an error on line 2 and no times", err, ce.Line, out.String())
	}
	for code, want := range map[string]string{"%%time": "incomplete", "%%time\nx := 1": "complete", "%%time\nfor {": "incomplete"} {
		if got, _ := s.IsComplete(code); got != want {
			t.Errorf("IsComplete(%q) = %q, want %q", code, got, want)
		}
	}
}
