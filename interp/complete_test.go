package interp

import (
	"slices"
	"strings"
	"testing"
)

func TestIsComplete(t *testing.T) {
	s := newTestSession(t)
	for _, tc := range []struct{ name, code, status, indent string }{
		{"empty", "", "complete", ""},
		{"statement", "x := 1", "complete", ""},
		{"open brace", "func f() {", "incomplete", "\t"},
		{"nested", "func f() {\n\tif true {", "incomplete", "\t\t"},
		{"open paren", "fmt.Println(1,", "incomplete", "\t"},
		{"raw string", "s := `abc", "incomplete", ""},
		{"comment", "/* start", "incomplete", ""},
		{"trailing operator", "x := 1 +", "incomplete", ""},
		{"trailing comma in call", "f(a,\n", "incomplete", "\t"},
		{"closed func", "func f() {\n}", "complete", ""},
		{"unbalanced close", "x := 1)", "invalid", ""},
		{"bad syntax", "x := := 1", "invalid", ""},
		{"newline in string", "s := \"abc\ndef\"", "invalid", ""},
		{"increment", "x++", "complete", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, indent := s.IsComplete(tc.code)
			if status != tc.status || indent != tc.indent {
				t.Errorf("IsComplete(%q) = %q, %q; want %q, %q", tc.code, status, indent, tc.status, tc.indent)
			}
		})
	}
}

// completeSetup is the notebook TestComplete completes in.
const completeSetup = `import (
	"io"
	"mp"
	"strings"
)
type Point struct{ X, Y int }
func (p Point) Norm() int { return p.X }
type inner struct{ secret int }
func helper() {}
const Limit = 10
point := Point{1, 2}
counter := 3
in := inner{1}
b := &strings.Builder{}
var sb strings.Builder
var pl *mp.Pool
var w io.Writer
w = b
builders := []*strings.Builder{b}`

func TestComplete(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, completeSetup)
	for _, tc := range []struct {
		name, code string
		cursor     int // -1: end of code
		want       []string
		start      int
		kinds      map[string]string // match -> kind, for some matches
		sigs       map[string]string // match -> substring of its signature
	}{
		{"global and decl", "po", -1, []string{"point"}, 0,
			map[string]string{"point": "variable"}, map[string]string{"point": "Point"}},
		{"func", "hel", -1, []string{"helper"}, 0,
			map[string]string{"helper": "function"}, map[string]string{"helper": "func helper()"}},
		{"notebook type and const", "Li", -1, []string{"Limit"}, 0,
			map[string]string{"Limit": "constant"}, map[string]string{"Limit": "const Limit = 10"}},
		{"notebook type", "Poi", -1, []string{"Point"}, 0, map[string]string{"Point": "type"}, nil},
		{"keyword", "x := 1\nfal", -1, []string{"fallthrough", "false"}, 7,
			map[string]string{"fallthrough": "keyword", "false": "constant"}, nil},
		{"predeclared", "app", -1, []string{"append"}, 0,
			map[string]string{"append": "function"}, map[string]string{"append": "func append(slice []Type, elems ...Type) []Type"}},
		{"module and type", "strin", -1, []string{"string", "strings"}, 0,
			map[string]string{"string": "type", "strings": "module"}, map[string]string{"strings": "strings"}},
		{"imported package member", "strings.ToU", -1, []string{"ToUpper", "ToUpperSpecial"}, 8,
			map[string]string{"ToUpper": "function"}, map[string]string{"ToUpper": "func(string) string"}},
		{"importable package member", "strconv.Ato", -1, []string{"Atoi"}, 8, nil, nil},
		{"package type", "strings.Buil", -1, []string{"Builder"}, 8, map[string]string{"Builder": "type"}, nil},
		{"package constant", "math.Pi", -1, []string{"Pi"}, 5, map[string]string{"Pi": "constant"}, nil},
		{"package variable", "os.Arg", -1, []string{"Args"}, 3, map[string]string{"Args": "variable"}, map[string]string{"Args": "[]string"}},
		{"mp member", "mp.NewPo", -1, []string{"NewPool"}, 3,
			map[string]string{"NewPool": "function"}, map[string]string{"NewPool": "func NewPool("}},
		{"display member", "display.Sho", -1, []string{"Show", "ShowAs", "ShowBundle"}, 8,
			map[string]string{"Show": "function"}, map[string]string{"Show": "func Show("}},
		{"no interface wrappers", "display._", -1, nil, 8, nil, nil},
		{"struct fields and methods", "point.", -1, []string{"Norm", "X", "Y"}, 6,
			map[string]string{"Norm": "method", "X": "field"}, map[string]string{"Norm": "func (p Point) Norm() int", "X": "int"}},
		{"unexported field of a notebook struct", "in.se", -1, []string{"secret"}, 3, map[string]string{"secret": "field"}, nil},
		{"methods of a compiled pointer", "b.WriteS", -1, []string{"WriteString"}, 2,
			map[string]string{"WriteString": "method"}, map[string]string{"WriteString": "func(string) (int, error)"}},
		{"pointer methods of a compiled variable", "sb.Le", -1, []string{"Len"}, 3, map[string]string{"Len": "method"}, nil},
		{"interface methods", "w.", -1, []string{"Write"}, 2, map[string]string{"Write": "method"}, map[string]string{"Write": "func([]uint8) (int, error)"}},
		{"mp.Pool methods", "pl.Map", -1, []string{"Map", "MapAsync"}, 3, map[string]string{"Map": "method"}, nil},
		{"result of a package function", `r := strings.NewReader("x").Re`, -1, []string{"Read", "ReadAt", "ReadByte", "ReadRune", "Reset"}, 28,
			map[string]string{"Read": "method"}, nil},
		{"result of a constructor of gomp's", "mp.NewPool(2).Starm", -1, []string{"Starmap"}, 14, nil, nil},
		{"chained method results", "time.Now().Add(time.Second).Unix", -1, []string{"Unix", "UnixMicro", "UnixMilli", "UnixNano"}, 28, nil, nil},
		{"field of a variable", "point.X.", -1, nil, 8, nil, nil},
		{"method result of a variable", "b.String().", -1, nil, 11, nil, nil},
		{"conversion to a package type", "time.Duration(5).Secon", -1, []string{"Seconds"}, 17, nil, nil},
		{"element of a slice", "builders[0].Le", -1, []string{"Len"}, 12, map[string]string{"Len": "method"}, nil},
		{"names in the code", "func localFn() {}\nlocalV := 1\nloc", -1, []string{"localFn", "localV"}, 30,
			map[string]string{"localFn": "function", "localV": "variable"}, nil},
		{"selector members are not names", "strings.Fields(x)\nFie", -1, nil, 18, nil, nil},
		{"cursor in the middle, runes", "é := co + 1", 7, []string{"comparable", "complex", "complex128", "complex64", "const", "continue", "copy", "counter"}, 5, nil, nil},
		{"after a rune, member", "ü := strings.ToL", -1, []string{"ToLower", "ToLowerSpecial"}, 13, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cursor := tc.cursor
			if cursor < 0 {
				cursor = len([]rune(tc.code))
			}
			got, start, end := s.Complete(tc.code, cursor)
			var texts []string
			byText := map[string]Completion{}
			for _, c := range got {
				texts = append(texts, c.Text)
				byText[c.Text] = c
			}
			if !slices.Equal(texts, tc.want) || start != tc.start || end != cursor {
				t.Errorf("Complete(%q, %d) = %q, %d, %d; want %q, %d, %d", tc.code, cursor, texts, start, end, tc.want, tc.start, cursor)
			}
			for text, kind := range tc.kinds {
				if byText[text].Kind != kind {
					t.Errorf("Complete(%q): %s is a %q; want %q", tc.code, text, byText[text].Kind, kind)
				}
			}
			for text, sig := range tc.sigs {
				if !strings.Contains(byText[text].Signature, sig) {
					t.Errorf("Complete(%q): signature of %s is %q; want it to contain %q", tc.code, text, byText[text].Signature, sig)
				}
			}
		})
	}
}

// TestCompleteKinds checks that every completion has one of the kinds
// JupyterLab knows.
func TestCompleteKinds(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, completeSetup)
	known := []string{"function", "keyword", "module", "variable", "type", "field", "method", "constant"}
	for _, code := range []string{"", "strings.", "mp.", "point.", "b.", "display."} {
		got, _, _ := s.Complete(code, len([]rune(code)))
		if len(got) == 0 {
			t.Errorf("Complete(%q) found nothing", code)
		}
		for _, c := range got {
			if !slices.Contains(known, c.Kind) {
				t.Errorf("Complete(%q): %s has kind %q", code, c.Text, c.Kind)
			}
		}
	}
}

// inspectSetup is the notebook TestInspect inspects.
const inspectSetup = `import (
	"mp"
	"strings"
)

// add returns the sum of a and b.
//
// It is [commutative].
func add(a, b int) int { return a + b }

// total is a sum.
var total = add(1, 2)
n := 5
type P struct{ X int }

// Double doubles p's X.
func (p P) Double() int { return 2 * p.X }
pt := P{4}
type inner struct{ secret int }
in := inner{7}
var sb strings.Builder
var pl *mp.Pool
x := 0 // a line comment, not a doc
func nodoc() {}`

func TestInspect(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, inspectSetup)
	for _, tc := range []struct {
		name, code string
		cursor     int // -1: end of code
		detail     int
		text       []string // substrings of text/plain; nil: not found
		markdown   []string // substrings of text/markdown
		not        string   // not in text/plain
	}{
		{"method of an expression", `strings.NewReader("ab").Len()`, 25, 0,
			[]string{"func (r *Reader) Len() int", "Len returns the number of bytes of the unread portion"}, nil, ""},
		{"method of a chained call", "time.Now().UTC().Unix()", 17, 0,
			[]string{"func (t Time) Unix() int64"}, nil, ""},
		{"standard func", "fmt.Println(x)", 5, 0,
			[]string{"func Println(a ...any) (n int, err error)\n\nPrintln formats using the default formats"},
			[]string{"```go\nfunc Println(a ...any) (n int, err error)\n```\n\nPrintln formats"}, ""},
		{"standard type with links", "strings.Builder", 9, 0,
			[]string{"type Builder struct {", "A Builder is used to efficiently build a string"},
			[]string{"[Builder.Write](https://pkg.go.dev/strings#Builder.Write)"}, "buf []byte"},
		{"standard const group", "time.Second", 6, 0, []string{"Nanosecond  Duration = 1", "Hour"}, nil, ""},
		{"standard package", "strings", 2, 0, []string{"package strings", "Package strings implements"}, nil, ""},
		{"predeclared", "len(x)", 1, 0, []string{"func len(v Type) int", "The len built-in function"}, nil, ""},
		{"mp func", "mp.NewPool(2)", 5, 0, []string{"func NewPool(", "NewPool"}, []string{"```go\nfunc NewPool("}, ""},
		{"display func", "display.Show(x)", 10, 0, []string{"func Show(", "Show"}, nil, ""},
		{"display type", "display.HTML(s)", 9, 0, []string{"type HTML string", "HTML is HTML source shown rendered"}, nil, ""},
		{"notebook func doc", "add(1, 2)", 1, 0,
			[]string{"func add(a, b int) int\n\nadd returns the sum of a and b.\n\nIt is [commutative]."},
			[]string{"```go\nfunc add(a, b int) int\n```\n\nadd returns the sum of a and b."}, "return a + b"},
		{"notebook func source", "add(1, 2)", 1, 1, []string{"func add(a, b int) int { return a + b }"}, nil, ""},
		{"notebook var", "total", 0, 0, []string{"var total = add(1, 2)\n= 3\n\ntotal is a sum."}, nil, ""},
		{"notebook func without doc", "nodoc()", 2, 0, []string{"func nodoc()"}, nil, "line comment"},
		{"global", "n + 1", 0, 0, []string{"var n int\n= 5"}, nil, ""},
		{"notebook method of a value", "pt.Double()", 4, 0, []string{"func (p P) Double() int\n\nDouble doubles p's X."}, nil, ""},
		{"field of a value", "pt.X", 3, 0, []string{"pt.X int\n= 4"}, nil, ""},
		{"unexported field of a value", "in.secret", 4, 0, []string{"in.secret int\n= 7"}, nil, ""},
		{"method of a standard value", "sb.WriteString(s)", 5, 0,
			[]string{"func (b *Builder) WriteString(s string) (int, error)", "WriteString appends the contents of s"}, nil, ""},
		{"method of an mp value", "pl.Map(f, xs)", 3, 0,
			[]string{"func (p *Pool) Map(fn any, items any", "Map calls fn on each element of items"}, nil, ""},
		{"inside a call's parentheses", "strings.Repeat(\"ab\", ", -1, 0, []string{"func Repeat(s string, count int) string"}, nil, ""},
		{"unicode before the name", "é := strings.ToUpper(x)", 15, 0, []string{"func ToUpper(s string) string"}, nil, ""},
		{"keyword", "for {}", 1, 0, nil, nil, ""},
		{"unknown", "nothing", 2, 0, nil, nil, ""},
		{"unknown member", "strings.Nope", 10, 0, nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cursor := tc.cursor
			if cursor < 0 {
				cursor = len([]rune(tc.code))
			}
			got, found := s.Inspect(tc.code, cursor, tc.detail)
			if found != (tc.text != nil) {
				t.Fatalf("Inspect(%q, %d) found %v: %q", tc.code, cursor, found, got.Text)
			}
			for _, want := range tc.text {
				if !strings.Contains(got.Text, want) {
					t.Errorf("Inspect(%q, %d) text/plain =\n%s\nwant it to contain %q", tc.code, cursor, got.Text, want)
				}
			}
			for _, want := range tc.markdown {
				if !strings.Contains(got.Markdown, want) {
					t.Errorf("Inspect(%q, %d) text/markdown =\n%s\nwant it to contain %q", tc.code, cursor, got.Markdown, want)
				}
			}
			if tc.not != "" && strings.Contains(got.Text, tc.not) {
				t.Errorf("Inspect(%q, %d) text/plain =\n%s\nwant it without %q", tc.code, cursor, got.Text, tc.not)
			}
		})
	}
}

// TestInspectDocUpdates checks that running a declaration again with a
// new doc comment shows the new one.
func TestInspectDocUpdates(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "// f is old.\nfunc f() {}")
	mustRun(t, s, "// f is new.\nfunc f() {}")
	got, found := s.Inspect("f", 0, 0)
	if !found || !strings.Contains(got.Text, "f is new.") {
		t.Errorf("Inspect(f) = %q, %v; want the new doc comment", got.Text, found)
	}
}

func TestDocAbove(t *testing.T) {
	for _, tc := range []struct{ name, code, decl, want string }{
		{"line comments", "x := 1\n// f does.\n// More.\nfunc f() {}", "func", "f does.\nMore.\n"},
		{"block comment", "/* T is a type. */\ntype T int", "type", " T is a type.\n"},
		{"none", "func f() {}", "func", ""},
		{"blank line between", "// detached\n\nfunc f() {}", "func", ""},
		{"line comment of code above", "x := 1 // about x\nfunc f() {}", "func", ""},
		{"after a line comment of code", "x := 1 // about x\n// g does.\nfunc g() {}", "func", "g does.\n"},
		{"only the last group", "// one\n\n// two\nvar v = 1", "var", "two\n"},
		{"comment inside the code above", "func a() {\n\t// inside\n}\nfunc b() {}", "func b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := docAbove(tc.code, strings.LastIndex(tc.code, tc.decl)); got != tc.want {
				t.Errorf("docAbove(%q) = %q; want %q", tc.code, got, tc.want)
			}
		})
	}
}
