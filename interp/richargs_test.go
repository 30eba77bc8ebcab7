package interp

import (
	"image"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/display"
)

// countingBundler counts its MIMEBundle calls.
type countingBundler struct{ calls *int }

func (c countingBundler) MIMEBundle() display.Bundle {
	*c.calls++
	return display.Bundle{display.MIMEHTML: "x"}
}

func TestRichCompiled(t *testing.T) {
	calls := 0
	for _, c := range []struct {
		name string
		v    any
		want bool
	}{
		{"html", display.HTML("<b>x</b>"), true},
		{"image", image.NewRGBA(image.Rect(0, 0, 1, 1)), true},
		{"stringer", time.Second, true},
		{"bundler", countingBundler{&calls}, true},
		{"int", 42, false},
		{"string", "text", false},
		{"nil", nil, false},
		{"struct", struct{ A int }{1}, false},
	} {
		if got := richCompiled(c.v); got != c.want {
			t.Errorf("%s: richCompiled = %v, want %v", c.name, got, c.want)
		}
	}
	if calls != 0 {
		t.Errorf("richCompiled called MIMEBundle %d times; it must call no method (a chart would be drawn twice)", calls)
	}
}

func TestRichOf(t *testing.T) {
	for _, c := range []struct {
		name     string
		b        display.Bundle
		str      string
		stringer bool
		want     any
	}{
		{"nothing", display.Bundle{}, "", false, nil},
		{"string only", display.Bundle{}, "s", true, display.Text("s")},
		{"html", display.Bundle{display.MIMEHTML: "<b>"}, "", false, display.Bundle{display.MIMEHTML: "<b>", display.MIMEText: "<b>"}},
		{"html and string", display.Bundle{display.MIMEHTML: "<b>"}, "s", true, display.Bundle{display.MIMEHTML: "<b>", display.MIMEText: "s"}},
		{"markdown before html", display.Bundle{display.MIMEHTML: "<b>", display.MIMEMarkdown: "**"}, "", false, display.Bundle{display.MIMEHTML: "<b>", display.MIMEMarkdown: "**", display.MIMEText: "**"}},
		{"png", display.Bundle{display.MIMEPNG: []byte{1, 2, 3}}, "", false, display.Bundle{display.MIMEPNG: "AQID", display.MIMEText: "<image/png image>"}},
		{"own text", display.Bundle{display.MIMEHTML: "<b>", display.MIMEText: "t"}, "s", true, display.Bundle{display.MIMEHTML: "<b>", display.MIMEText: "t"}},
	} {
		got := richOf(c.b, c.str, c.stringer)
		if gb, ok := got.(display.Bundle); ok {
			wb, _ := c.want.(display.Bundle)
			if len(gb) != len(wb) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				continue
			}
			for k, v := range wb {
				if gb[k] != v {
					t.Errorf("%s: %v, want %v", c.name, got, c.want)
				}
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
