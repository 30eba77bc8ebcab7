package display

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"strings"
	"testing"
)

type htmlCard struct{ name string }

func (c htmlCard) HTML() string     { return "<b>" + c.name + "</b>" }
func (c htmlCard) Markdown() string { return "**" + c.name + "**" }
func (c htmlCard) String() string   { return "card " + c.name }

type pngOnly struct{}

func (pngOnly) PNG() []byte { return []byte("not really a png") }

type bundler struct{}

func (bundler) MIMEBundle() Bundle {
	return Bundle{"application/vnd.custom+json": map[string]any{"a": 1.0}}
}

// TestRepresent checks the bundle each kind of value shows as.
func TestRepresent(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.White)
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    any
		rich bool
		want map[string]string // MIME type -> data (strings only); "*" checks presence
	}{
		{"html", HTML("<i>x</i>"), true, map[string]string{MIMEHTML: "<i>x</i>", MIMEText: "<i>x</i>"}},
		{"markdown", Markdown("# t"), true, map[string]string{MIMEMarkdown: "# t", MIMEText: "# t"}},
		{"latex", LaTeX(`$x$`), true, map[string]string{MIMELaTeX: `$x$`, MIMEText: `$x$`}},
		{"svg", SVG("<svg/>"), true, map[string]string{MIMESVG: "<svg/>", MIMEText: "<SVG image, 6 bytes>"}},
		{"text", Text("plain"), true, map[string]string{MIMEText: "plain"}},
		{"image", img, true, map[string]string{MIMEPNG: "*", MIMEText: "<PNG image 3x2>"}},
		{"jpeg", JPEG(jpg.Bytes()), true, map[string]string{MIMEJPEG: base64.StdEncoding.EncodeToString(jpg.Bytes()), MIMEText: "<JPEG image 3x2>"}},
		{"bad png", PNG("xx"), true, map[string]string{MIMEPNG: "eHg=", MIMEText: "*"}},
		{"json", JSON([]int{1, 2}), true, map[string]string{MIMEText: "[\n  1,\n  2\n]"}},
		{"json error", JSON(func() {}), true, map[string]string{MIMEText: "display.JSON: json: unsupported type: func()"}},
		{"methods", htmlCard{"ace"}, true, map[string]string{MIMEHTML: "<b>ace</b>", MIMEMarkdown: "**ace**"}},
		{"one method", pngOnly{}, true, map[string]string{MIMEPNG: base64.StdEncoding.EncodeToString([]byte("not really a png"))}},
		{"bundle method", bundler{}, true, map[string]string{"application/vnd.custom+json": "*"}},
		{"bundle", Bundle{"text/csv": "a,b"}, true, map[string]string{"text/csv": "a,b"}},
		{"number", 42, false, nil},
		{"string", "s", false, nil},
		{"nil", nil, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := Represent(tc.v)
			if ok != tc.rich {
				t.Fatalf("Represent(%v) rich = %v, want %v", tc.v, ok, tc.rich)
			}
			for mime, want := range tc.want {
				got, present := b[mime]
				if !present {
					t.Errorf("no %s in %v", mime, b)
					continue
				}
				if s, isString := got.(string); want != "*" && (!isString || s != want) {
					t.Errorf("%s = %#v, want %q", mime, got, want)
				}
			}
		})
	}
}

// TestOf checks that every displayed value has text/plain.
func TestOf(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{42, "42"},
		{"as is", "as is"},
		{htmlCard{"ace"}, "card ace"},
		{errors.New("boom"), "boom"},
		{HTML("<b>"), "<b>"},
	} {
		if got := Of(tc.v)[MIMEText]; got != tc.want {
			t.Errorf("Of(%#v) text/plain = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// TestPublish checks the publisher hook: actions reach the installed
// publisher with a shared id for a handle's updates, and without one the
// text goes to standard output.
func TestPublish(t *testing.T) {
	var got []Output
	old := SetPublisher(func(o Output) error { got = append(got, o); return nil })
	h := Show(HTML("<b>1</b>"))
	if err := h.Update(Text("2")); err != nil {
		t.Fatal(err)
	}
	if err := Update(h, Markdown("3")); err != nil {
		t.Fatal(err)
	}
	Clear(true)
	ShowBundle(Bundle{MIMEText: "md"}, map[string]any{"isolated": true})
	SetPublisher(old)
	if len(got) != 5 {
		t.Fatalf("published %d outputs, want 5: %+v", len(got), got)
	}
	kinds := []Kind{KindDisplay, KindUpdate, KindUpdate, KindClear, KindDisplay}
	for i, o := range got {
		if o.Kind != kinds[i] {
			t.Errorf("output %d kind %d, want %d", i, o.Kind, kinds[i])
		}
	}
	if got[0].ID == "" || got[1].ID != got[0].ID || got[2].ID != got[0].ID || h.ID() != got[0].ID || got[4].ID == got[0].ID {
		t.Errorf("ids: %q %q %q, handle %q, next %q", got[0].ID, got[1].ID, got[2].ID, h.ID(), got[4].ID)
	}
	if !got[3].Wait || got[4].Metadata["isolated"] != true {
		t.Errorf("clear %+v, metadata %+v", got[3], got[4].Metadata)
	}

	got = nil
	SetPublisher(func(o Output) error { got = append(got, o); return nil })
	ShowAs("status-1", Text("waiting"))
	if err := HandleOf("status-1").Update(Text("done")); err != nil {
		t.Fatal(err)
	}
	SetPublisher(old)
	if len(got) != 2 || got[0].ID != "status-1" || got[1].ID != "status-1" || got[1].Kind != KindUpdate || got[1].Data[MIMEText] != "done" {
		t.Errorf("ShowAs then HandleOf(...).Update published %+v", got)
	}

	var none *Handle
	if err := none.Update(Text("x")); err == nil || none.ID() != "" {
		t.Errorf("a nil handle updated without an error (%v)", err)
	}

	// Without a publisher: text/plain on stdout.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	prev := SetPublisher(nil)
	Show(HTML("<b>fallback</b>"))
	Clear(false)
	SetPublisher(prev)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if strings.TrimSpace(string(out)) != "<b>fallback</b>" {
		t.Errorf("without a publisher printed %q", out)
	}
}

// TestTable checks both renderings of a table and the tables TableOf
// makes.
func TestTable(t *testing.T) {
	tb := Table{Header: []string{"workers", "time"}, Rows: [][]any{{1, "2.1s"}, {2, "<1s>"}}}
	b := tb.MIMEBundle()
	wantHTML := "<table><thead><tr><th>workers</th><th>time</th></tr></thead><tbody>" +
		"<tr><td>1</td><td>2.1s</td></tr><tr><td>2</td><td>&lt;1s&gt;</td></tr></tbody></table>"
	if b[MIMEHTML] != wantHTML {
		t.Errorf("html = %q", b[MIMEHTML])
	}
	if b[MIMEText] != "workers  time\n1        2.1s\n2        <1s>" {
		t.Errorf("text = %q", b[MIMEText])
	}

	type run struct {
		Workers int
		Speedup float64
		note    string
	}
	for _, tc := range []struct {
		name string
		v    any
		want string // text rendering
		err  bool
	}{
		{"structs", []run{{1, 1, "x"}, {2, 1.8, "y"}}, "Workers  Speedup\n1        1\n2        1.8", false},
		{"pointers", []*run{{Workers: 4, Speedup: 3.5}}, "Workers  Speedup\n4        3.5", false},
		{"values", []int{3, 4}, "value\n3\n4", false},
		{"map", map[string]int{"b": 2, "a": 1}, "key  value\na    1\nb    2", false},
		{"not a collection", 42, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TableOf(tc.v)
			if (err != nil) != tc.err {
				t.Fatalf("TableOf(%v) error %v", tc.v, err)
			}
			if err == nil && got.MIMEBundle()[MIMEText] != tc.want {
				t.Errorf("TableOf(%v) text = %q, want %q", tc.v, got.MIMEBundle()[MIMEText], tc.want)
			}
		})
	}
}
