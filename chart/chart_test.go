package chart

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/display"
)

// svgDoc is what the tests read back from an SVG document.
type svgDoc struct {
	texts []string   // the contents of the text elements, in order
	fonts []string   // their font-family, from style or the attribute
	paths []svgPath  // the path elements, in order
	root  xml.Name   // the root element
	attrs []xml.Attr // the root element's attributes
}

type svgPath struct {
	d, style string
}

// parseSVG parses s as XML, failing the test when it is not.
func parseSVG(t *testing.T, s display.SVG) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(strings.NewReader(string(s)))
	var inText []*strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if doc.root.Local == "" {
				doc.root, doc.attrs = tok.Name, tok.Attr
			}
			switch tok.Name.Local {
			case "text":
				inText = append(inText, &strings.Builder{})
				doc.fonts = append(doc.fonts, fontFamily(tok.Attr))
			case "path":
				doc.paths = append(doc.paths, svgPath{d: attr(tok.Attr, "d"), style: attr(tok.Attr, "style")})
			}
		case xml.CharData:
			if len(inText) > 0 {
				inText[len(inText)-1].Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				doc.texts = append(doc.texts, strings.TrimSpace(inText[len(inText)-1].String()))
				inText = inText[:len(inText)-1]
			}
		}
	}
	if doc.root.Local != "svg" {
		t.Fatalf("root element is %q, want svg", doc.root.Local)
	}
	return doc
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

var styleFont = regexp.MustCompile(`font-family:([^;]*)`)

func fontFamily(attrs []xml.Attr) string {
	if f := attr(attrs, "font-family"); f != "" {
		return f
	}
	if m := styleFont.FindStringSubmatch(attr(attrs, "style")); m != nil {
		return m[1]
	}
	return ""
}

// seriesLines returns, for each series colour, the number of points of
// the longest open, unfilled path stroked in it: the series' line (legend
// thumbnails are two-point paths in the same colour, and hollow markers
// are closed paths).
func seriesLines(doc svgDoc) map[string]int {
	lines := map[string]int{}
	for _, p := range doc.paths {
		if !strings.Contains(p.style, "fill:none") || strings.ContainsAny(p.d, "AZ") {
			continue
		}
		for i, col := range palette {
			r, g, b, _ := col.RGBA()
			if strings.Contains(p.style, fmt.Sprintf("stroke:#%02X%02X%02X;", r>>8, g>>8, b>>8)) {
				key := fmt.Sprintf("series %d", i)
				lines[key] = max(lines[key], strings.Count(p.d, "L")+1)
			}
		}
	}
	return lines
}

// barPaths counts the filled paths in the bar colour: the bars.
func barPaths(doc svgDoc) int {
	n := 0
	for _, p := range doc.paths {
		if p.style == "fill:#1F77B4" && strings.Count(p.d, "L") == 3 {
			n++
		}
	}
	return n
}

// renderOK returns c's SVG, failing the test on an error.
func renderOK(t *testing.T, c *Chart) (display.SVG, svgDoc) {
	t.Helper()
	s, err := c.SVG()
	if err != nil {
		t.Fatalf("SVG: %v", err)
	}
	return s, parseSVG(t, s)
}

type celsius float32

func TestLineChart(t *testing.T) {
	tests := []struct {
		name   string
		chart  *Chart
		texts  []string // must all be drawn
		absent []string // must not be drawn
		lines  []int    // points per series, in order
	}{
		{
			name: "speedup",
			chart: New("Pool speedup", "workers", "speedup").
				Line("measured", []int{1, 2, 3, 4}, []float64{1, 1.8, 2.4, 2.9}).
				Line("ideal", []int{1, 2, 3, 4}, []int{1, 2, 3, 4}),
			texts:  []string{"Pool speedup", "workers", "speedup", "measured", "ideal", "1", "2", "3", "4"},
			absent: []string{"1.5", "2.5"},
			lines:  []int{4, 4},
		},
		{
			name: "two workers: whole-number ticks only",
			chart: New("Pool speedup", "workers", "speedup").
				Line("measured", []int{1, 2}, []float64{1, 1.7}).
				Line("ideal", []int{1, 2}, []int{1, 2}),
			texts:  []string{"1", "2", "1.0", "1.5", "2.0"},
			absent: []string{"1.2", "1.4", "1.6", "1.8"},
			lines:  []int{2, 2},
		},
		{
			name: "every number type",
			chart: New("types", "x", "y").
				Line("int64", []int64{1, 2, 3}, []int8{1, 2, 3}).
				Line("uint", []uint{1, 2, 3}, []uint16{3, 2, 1}).
				Line("float32", []float32{1, 2, 3}, []float64{0.5, 1.5, 2.5}).
				Line("array", [3]int32{1, 2, 3}, [3]uint64{2, 2, 2}).
				Line("named", []celsius{1, 2, 3}, []celsius{-1, 0, 1}).
				Line("any", []any{1, 2.0, uint8(3)}, []any{int64(1), float32(1), time.Second}),
			texts: []string{"types", "int64", "uint", "float32", "array", "named", "any"},
			lines: []int{3, 3, 3, 3, 3, 3},
		},
		{
			name:   "durations in seconds, xs numbered from 0",
			chart:  New("latency", "", "seconds").Line("", nil, []time.Duration{time.Second, 1500 * time.Millisecond, 2 * time.Second, 3 * time.Second}),
			texts:  []string{"latency", "seconds", "0", "3"},
			absent: []string{"1000000000", "3000000000"},
			lines:  []int{4},
		},
		{
			name:  "one point",
			chart: New("one", "x", "y").Line("only", []int{5}, []float64{7}),
			texts: []string{"one", "only", "5"},
			lines: []int{1},
		},
		{
			name:  "size",
			chart: New("small", "x", "y").Size(300, 200).Line("a", []float64{0, 1, 2}, []float64{0, 1, 4}),
			texts: []string{"small", "a"},
			lines: []int{3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := renderOK(t, tt.chart)
			for _, want := range tt.texts {
				if !slices.Contains(doc.texts, want) {
					t.Errorf("no text %q drawn; texts: %q", want, doc.texts)
				}
			}
			for _, bad := range tt.absent {
				if slices.Contains(doc.texts, bad) {
					t.Errorf("text %q drawn; texts: %q", bad, doc.texts)
				}
			}
			lines := seriesLines(doc)
			if len(lines) != len(tt.lines) {
				t.Errorf("%d series drawn (%v), want %d", len(lines), lines, len(tt.lines))
			}
			for i, n := range tt.lines {
				if got := lines[fmt.Sprintf("series %d", i)]; got != n && n > 1 {
					t.Errorf("series %d drawn with %d points, want %d", i, got, n)
				}
			}
			if got := tt.chart.String(); !strings.HasPrefix(got, "<line chart ") {
				t.Errorf("String() = %q, want a line chart description", got)
			}
		})
	}
}

func TestUnusualData(t *testing.T) {
	many := make([]float64, 5000)
	for i := range many {
		many[i] = math.Sin(float64(i) / 100)
	}
	tests := []struct {
		name  string
		chart *Chart
		text  string // must be drawn
	}{
		{"markup in text", New(`<b>"x" & y</b>`, "a<b", "c&d").Line("<i>", nil, []int{1, 2}), `<b>"x" & y</b>`},
		{"all values equal", New("flat", "x", "y").Line("f", []int{3, 3, 3}, []float64{2, 2, 2}), "flat"},
		{"huge values", New("huge", "x", "y").Line("h", []float64{-1e300, 1e300}, []float64{1e300, -1e300}), "huge"},
		{"tiny range", New("tiny", "x", "y").Line("t", []float64{1, 1 + 1e-12}, []float64{1, 1 + 1e-12}), "tiny"},
		{"many points", New("many", "x", "y").Line("sin", nil, many), "many"},
		{"many bars", Bars("bars", "y", strings.Fields(strings.Repeat("a ", 60)), make([]int, 60)), "bars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := renderOK(t, tt.chart)
			if !slices.Contains(doc.texts, tt.text) {
				t.Errorf("no text %q drawn; texts: %q", tt.text, doc.texts)
			}
		})
	}
}

func TestLineChartSize(t *testing.T) {
	tests := []struct {
		chart *Chart
		want  string // the root's viewBox, in points
	}{
		{New("t", "x", "y").Line("a", nil, []int{1, 2}), "0 0 450 285"},
		{New("t", "x", "y").Size(800, 400).Line("a", nil, []int{1, 2}), "0 0 600 300"},
	}
	for _, tt := range tests {
		_, doc := renderOK(t, tt.chart)
		if got := attr(doc.attrs, "viewBox"); got != tt.want {
			t.Errorf("viewBox = %q, want %q", got, tt.want)
		}
	}
}

func TestBars(t *testing.T) {
	tests := []struct {
		name   string
		labels []string
		values any
		bars   int
	}{
		{"floats", []string{"serial", "pool"}, []float64{2.1, 1.2}, 2},
		{"durations", []string{"a", "b", "c"}, []time.Duration{time.Second, 2 * time.Second, 500 * time.Millisecond}, 3},
		{"ints with a negative", []string{"a", "b", "c", "d"}, []int{3, -1, 4, 1}, 4},
		{"one bar", []string{"only"}, []any{42}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Bars("Time per job", "seconds", tt.labels, tt.values)
			_, doc := renderOK(t, c)
			for _, want := range append([]string{"Time per job", "seconds"}, tt.labels...) {
				if !slices.Contains(doc.texts, want) {
					t.Errorf("no text %q drawn; texts: %q", want, doc.texts)
				}
			}
			if got := barPaths(doc); got != tt.bars {
				t.Errorf("%d bars drawn, want %d", got, tt.bars)
			}
			if want := fmt.Sprintf(`<bar chart "Time per job": %d bars>`, tt.bars); c.String() != want {
				t.Errorf("String() = %q, want %q", c.String(), want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		chart *Chart
		want  string // in the error message
	}{
		{"lengths differ", New("t", "x", "y").Line("m", []int{1, 2, 3}, []float64{1, 2}), `Line "m": xs has 3 values but ys has 2`},
		{"NaN", New("t", "x", "y").Line("m", []int{1, 2}, []float64{1, math.NaN()}), "ys[1] is NaN"},
		{"infinity in xs", New("t", "x", "y").Line("m", []float64{math.Inf(1), 2}, []float64{1, 2}), "xs[0] is +Inf"},
		{"empty ys", New("t", "x", "y").Line("m", []int{}, []int{}), "ys is empty"},
		{"nil ys", New("t", "x", "y").Line("m", []int{1}, nil), "ys is nil"},
		{"strings", New("t", "x", "y").Line("m", []int{1}, []string{"a"}), "ys is a []string, want a slice of numbers"},
		{"not a slice", New("t", "x", "y").Line("m", 3, []int{1}), "xs is a int, want a slice of numbers"},
		{"any holding a string", New("t", "x", "y").Line("m", nil, []any{1, "two"}), "ys[1] is a string, want a number"},
		{"any holding nil", New("t", "x", "y").Line("m", nil, []any{1, nil}), "ys[1] is nil"},
		{"no series", New("t", "x", "y"), "no data"},
		{"first error kept", New("t", "x", "y").Line("a", nil, []int{}).Line("b", nil, []string{}), `Line "a": ys is empty`},
		{"bad size", New("t", "x", "y").Size(0, 300).Line("m", nil, []int{1}), "Size(0, 300)"},
		{"line on bars", Bars("t", "y", []string{"a"}, []int{1}).Line("m", nil, []int{1}), "a bar chart cannot have lines"},
		{"labels and values differ", Bars("t", "y", []string{"a", "b"}, []int{1}), "2 labels but 1 values"},
		{"no bars", Bars("t", "y", nil, []int{}), "no bars"},
		{"bars of strings", Bars("t", "y", []string{"a"}, []string{"1"}), "values is a []string"},
		{"markup escaped", New("<b>&", "x", "y"), `chart "<b>&": no data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.chart.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want an error containing %q", err, tt.want)
			}
			s, err := tt.chart.SVG()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SVG() error = %v, want one containing %q", err, tt.want)
			}
			doc := parseSVG(t, s)
			if drawn := strings.Join(doc.texts, " "); !strings.Contains(drawn, tt.want) {
				t.Errorf("error picture says %q, want it to contain %q", drawn, tt.want)
			}
			b := tt.chart.MIMEBundle()
			if b[display.MIMESVG] != string(s) {
				t.Errorf("bundle's %s is not the error picture", display.MIMESVG)
			}
			if text, _ := b[display.MIMEText].(string); !strings.HasPrefix(text, "<error: ") || !strings.Contains(text, tt.want) {
				t.Errorf("bundle's text/plain = %q, want an error containing %q", text, tt.want)
			}
		})
	}
}

func TestMIMEBundle(t *testing.T) {
	c := New("Pool speedup", "workers", "speedup").
		Line("measured", []int{1, 2}, []float64{1, 1.7}).
		Line("ideal", []int{1, 2}, []int{1, 2})
	s, _ := renderOK(t, c)
	want := display.Bundle{
		display.MIMESVG:  string(s),
		display.MIMEText: `<line chart "Pool speedup": measured (2 points), ideal (2 points)>`,
	}
	if got := c.MIMEBundle(); !reflect.DeepEqual(got, want) {
		t.Errorf("MIMEBundle() = %v, want %v", got, want)
	}
	if got, ok := display.Represent(c); !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("display.Represent(c) = %v, %v; want the chart's bundle", got, ok)
	}
}

func TestFonts(t *testing.T) {
	charts := []*Chart{
		New("t", "x", "y").Line("a", []int{1, 2}, []int{3, 4}),
		Bars("t", "y", []string{"a"}, []int{1}),
		New("t", "x", "y"),
	}
	for _, c := range charts {
		s, _ := c.SVG()
		doc := parseSVG(t, s)
		if len(doc.fonts) == 0 {
			t.Fatalf("%v: no text drawn", c)
		}
		for i, f := range doc.fonts {
			if f != "'Liberation Sans',Arial,Helvetica,sans-serif" {
				t.Errorf("%v: text %q has font-family %q, want Liberation Sans with fallbacks", c, doc.texts[i], f)
			}
		}
	}
}

func TestFloats(t *testing.T) {
	tests := []struct {
		in   any
		want []float64
	}{
		{[]int{1, -2}, []float64{1, -2}},
		{[]uint8{255}, []float64{255}},
		{[]float32{0.5}, []float64{0.5}},
		{[]time.Duration{1500 * time.Millisecond}, []float64{1.5}},
		{[]any{3, time.Millisecond, 2.5}, []float64{3, 0.001, 2.5}},
		{[2]celsius{-40, 100}, []float64{-40, 100}},
		{[]int{}, []float64{}},
	}
	for _, tt := range tests {
		got, err := floats("v", tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("floats(%#v) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want []string
	}{
		{"a bb ccc", 4, []string{"a bb", "ccc"}},
		{"abcdefgh ij", 3, []string{"abc", "def", "gh", "ij"}},
		{"one\ntwo", 10, []string{"one", "two"}},
	}
	for _, tt := range tests {
		if got := wrap(tt.s, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// determinismCharts are drawn twice in this process and once in a child
// process; all three drawings must be the same bytes.
func determinismCharts() []*Chart {
	return []*Chart{
		New("Pool speedup", "workers", "speedup").
			Line("measured", []int{1, 2, 3, 4, 5, 6, 7, 8}, []float64{1, 1.9, 2.7, 3.4, 4, 4.5, 4.9, 5.2}).
			Line("ideal", []int{1, 2, 3, 4, 5, 6, 7, 8}, []int{1, 2, 3, 4, 5, 6, 7, 8}),
		Bars("Time per job", "seconds", []string{"serial", "pool"}, []float64{2.1, 1.2}),
		New("broken", "x", "y").Line("m", []int{1}, []int{1, 2}),
	}
}

// drawAll renders charts into one string.
func drawAll(charts []*Chart) string {
	var b strings.Builder
	for _, c := range charts {
		s, _ := c.SVG()
		b.WriteString(string(s))
	}
	return b.String()
}

const childEnv = "GOMP_CHART_TEST_CHILD"

func TestDeterministic(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		fmt.Print(drawAll(determinismCharts()))
		return
	}
	first := drawAll(determinismCharts())
	charts := determinismCharts()
	if second := drawAll(charts); second != first {
		t.Fatal("two drawings of the same charts differ")
	}
	if again := drawAll(charts); again != first {
		t.Fatal("drawing the same charts again differs")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeterministic$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child process: %v", err)
	}
	child := strings.TrimSuffix(string(out), "PASS\n")
	if child != first {
		t.Errorf("a child process drew the charts differently (%d bytes, here %d)", len(child), len(first))
	}
}

// TestConcurrent draws separate charts from several goroutines at once
// (cells may draw from goroutines): each drawing must be the one drawn
// alone. Run with -race, it also checks gonum's shared font cache.
func TestConcurrent(t *testing.T) {
	want := drawAll(determinismCharts())
	const n = 4
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i] = drawAll(determinismCharts()) })
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("goroutine %d drew different charts", i)
		}
	}
}

// BenchmarkLineChart draws a 2-series, 8-point chart to SVG.
func BenchmarkLineChart(b *testing.B) {
	c := determinismCharts()[0]
	var size int
	for b.Loop() {
		s, err := c.SVG()
		if err != nil {
			b.Fatal(err)
		}
		size = len(s)
	}
	b.ReportMetric(float64(size), "svg-bytes")
}
