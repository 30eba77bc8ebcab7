package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/mp"
)

// TestDisplays applies display actions to two cells' outputs as nbclient
// does and checks what the notebook would store.
func TestDisplays(t *testing.T) {
	show := func(id, text string) display.Output {
		return display.Output{Kind: display.KindDisplay, ID: id, Data: display.Bundle{"text/plain": text}}
	}
	update := func(id, text string) display.Output {
		return display.Output{Kind: display.KindUpdate, ID: id, Data: display.Bundle{"text/plain": text}}
	}
	clear := func(wait bool) display.Output { return display.Output{Kind: display.KindClear, Wait: wait} }
	type step struct {
		cell   int // 0 or 1; cell 0's outputs are taken before cell 1 runs
		out    display.Output
		stream string // instead of out: text written to stdout
	}
	for _, tc := range []struct {
		name  string
		steps []step
		want  [2]string
	}{
		{"show", []step{{0, show("a", "x"), ""}}, [2]string{"display_data:x", ""}},
		{"update in place", []step{{0, show("a", "x"), ""}, {0, update("a", "y"), ""}, {0, display.Output{}, "line\n"}},
			[2]string{"display_data:y stream:line\n", ""}},
		{"a later cell updates an earlier one", []step{{0, show("a", "x"), ""}, {1, update("a", "z"), ""}},
			[2]string{"display_data:z", ""}},
		{"every output of the id", []step{{0, show("a", "x"), ""}, {1, show("a", "x"), ""}, {1, update("a", "w"), ""}},
			[2]string{"display_data:w", "display_data:w"}},
		{"unknown id", []step{{0, update("nope", "x"), ""}}, [2]string{"", ""}},
		{"clear now", []step{{0, show("", "x"), ""}, {0, clear(false), ""}, {0, show("", "y"), ""}},
			[2]string{"display_data:y", ""}},
		{"clear waits for the next output", []step{{0, display.Output{}, "a\n"}, {0, clear(true), ""}, {0, display.Output{}, "b\n"}},
			[2]string{"stream:b\n", ""}},
		{"a cleared output is not updated", []step{{0, show("a", "x"), ""}, {0, clear(false), ""}, {0, show("", "y"), ""}, {0, update("a", "z"), ""}},
			[2]string{"display_data:y", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &displays{}
			outs := [2]*outputs{{}, {}}
			var taken [2][]Output
			took := false
			for _, s := range tc.steps {
				if s.cell == 1 && !took {
					taken[0], took = outs[0].take(), true
				}
				if s.stream != "" {
					outs[s.cell].stream("stdout").Write([]byte(s.stream))
					continue
				}
				if err := d.publisher(outs[s.cell])(s.out); err != nil {
					t.Fatal(err)
				}
			}
			if !took {
				taken[0] = outs[0].take()
			}
			taken[1] = outs[1].take()
			for i := range 2 {
				var parts []string
				for _, o := range taken[i] {
					switch o.OutputType {
					case "stream":
						parts = append(parts, "stream:"+o.Text.String())
					default:
						parts = append(parts, o.OutputType+":"+o.Data.Text("text/plain"))
					}
				}
				if got := strings.Join(parts, " "); got != tc.want[i] {
					t.Errorf("cell %d outputs %q, want %q", i, got, tc.want[i])
				}
			}
		})
	}
}

// TestDisplayBarsReachTheLog checks that progress bars (by their id) also
// go to the log's bar function, and other displays do not.
func TestDisplayBarsReachTheLog(t *testing.T) {
	var bars []string
	pub := (&displays{bar: func(s string) { bars = append(bars, s) }}).publisher(&outputs{})
	for _, o := range []display.Output{
		{Kind: display.KindDisplay, ID: mp.ProgressIDPrefix + "1", Data: display.Bundle{"text/plain": "bar 0%"}},
		{Kind: display.KindDisplay, ID: "other", Data: display.Bundle{"text/plain": "not a bar"}},
		{Kind: display.KindUpdate, ID: mp.ProgressIDPrefix + "1", Data: display.Bundle{"text/plain": "bar 100%"}},
	} {
		if err := pub(o); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(bars) != "[bar 0% bar 100%]" {
		t.Errorf("bars = %q", bars)
	}
}
