package mp

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gomp-kernel/gomp/display"
)

// TestStreamPieces feeds a stream byte by byte (the worst case for line
// cutting) and checks the Writes it makes and the markers it passes.
func TestStreamPieces(t *testing.T) {
	mark := func(seq uint64) string { return string(marker("tok", seq)) }
	long := strings.Repeat("a", maxPiece)
	disp := func(text string) string {
		b, err := displayLine("tok", display.Output{Kind: display.KindDisplay, Data: display.Bundle{"text/plain": text}})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	huge := strings.Repeat("b", 5*maxPiece)
	for _, tc := range []struct {
		name   string
		input  string
		writes []string
		mark   uint64
	}{
		{"lines", "one\ntwo\n", []string{"one\n", "two\n"}, 0},
		{"no final newline", "one\ntwo", []string{"one\n", "two"}, 0},
		{"long line in pieces", long + "bb\n", []string{long, "bb\n"}, 0},
		{"exactly one piece", long[:maxPiece-1] + "\n", []string{long[:maxPiece-1] + "\n"}, 0},
		{"marker", "x\n" + mark(1) + "y\n", []string{"x\n", "y\n"}, 1},
		{"marker after partial line", "partial" + mark(2), []string{"partial"}, 2},
		{"marker at a piece boundary", long[:maxPiece-5] + mark(3) + "z\n", []string{long[:maxPiece-5], "z\n"}, 3},
		{"other token is output", "\x1egomp-eot:other:1\n", []string{"\x1egomp-eot:other:1\n"}, 0},
		{"display between lines", "a\n" + disp("x\ny") + "b\n", []string{"a\n", "D:x\ny", "b\n"}, 0},
		{"display after partial line", "partial" + disp("y") + mark(4), []string{"partial", "D:y"}, 4},
		{"display longer than pieces", disp(huge) + "c\n", []string{"D:" + huge, "c\n"}, 0},
		{"display of another token is output", "\x1egomp-display:other:{}\n", []string{"\x1egomp-display:other:{}\n"}, 0},
		{"display cut off is output", "\x1egomp-display:tok:{\"kind\"", []string{"\x1egomp-display:tok:{\"kind\""}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, src := range []struct {
				name string
				r    io.Reader
			}{{"whole", strings.NewReader(tc.input)}, {"bytewise", iotest.OneByteReader(strings.NewReader(tc.input))}} {
				rec := &recorder{}
				s := newStream(src.r, "tok", slog.Default())
				s.pin(rec, rec.display)
				s.run()
				var got []string
				for _, w := range rec.Writes() {
					got = append(got, string(w))
				}
				if strings.Join(got, "|") != strings.Join(tc.writes, "|") {
					t.Errorf("%s: writes %q, want %q", src.name, got, tc.writes)
				}
				if s.mark != tc.mark {
					t.Errorf("%s: mark %d, want %d", src.name, s.mark, tc.mark)
				}
			}
		})
	}
}
