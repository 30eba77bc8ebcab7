package runner

import (
	"runtime"
	"strings"
	"testing"
)

// TestOutputsGrowLinearly writes 16 MB to a cell's stdout in 4 KB writes,
// as the fd capture delivers a cell's print loop, and checks the bytes
// allocated on the way: a few times the text (append grows by 1.25x), not a copy of all the text
// so far per write (which is 32 GB here, and took gomp run 43 s for a cell
// printing 40 MB).
func TestOutputsGrowLinearly(t *testing.T) {
	const size, chunk = 16 << 20, 4 << 10
	line := []byte(strings.Repeat("x", chunk-1) + "\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	o := &outputs{}
	w := o.stream("stdout")
	for range size / chunk {
		w.Write(line)
	}
	outs := o.take()
	runtime.ReadMemStats(&after)
	if len(outs) != 1 || len(outs[0].Text) != size {
		t.Fatalf("got %d outputs, want one stream of %d bytes", len(outs), size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*size {
		t.Errorf("collecting %d MB allocated %d MB, want at most 8 times the text (linear)", size>>20, alloc>>20)
	}
}

// TestOutputsKeepOrder checks that merged stream text ends up in the right
// output when other outputs, other streams and clears come between.
func TestOutputsKeepOrder(t *testing.T) {
	o := &outputs{}
	out, errw := o.stream("stdout"), o.stream("stderr")
	out.Write([]byte("a"))
	out.Write([]byte("b\n"))
	errw.Write([]byte("e\n"))
	o.add(Output{OutputType: "display_data", Data: MIMEData{"text/plain": MultilineString("d")}})
	out.Write([]byte("c\n"))
	o.clear(true)
	out.Write([]byte("after clear\n"))
	out.Write([]byte("more\n"))
	var got []string
	for _, x := range o.take() {
		got = append(got, x.OutputType+":"+x.Name+":"+x.Text.String())
	}
	if want := "stream:stdout:after clear\nmore\n"; strings.Join(got, "|") != want {
		t.Errorf("outputs = %q, want %q", strings.Join(got, "|"), want)
	}
	o = &outputs{}
	out, errw = o.stream("stdout"), o.stream("stderr")
	out.Write([]byte("a"))
	out.Write([]byte("b\n"))
	errw.Write([]byte("e\n"))
	o.add(Output{OutputType: "display_data", Data: MIMEData{"text/plain": MultilineString("d")}})
	out.Write([]byte("c\n"))
	got = nil
	for _, x := range o.take() {
		got = append(got, x.OutputType+":"+x.Name+":"+x.Text.String())
	}
	if want := "stream:stdout:ab\n|stream:stderr:e\n|display_data::|stream:stdout:c\n"; strings.Join(got, "|") != want {
		t.Errorf("outputs = %q, want %q", strings.Join(got, "|"), want)
	}
}
