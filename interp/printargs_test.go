package interp

import (
	"reflect"
	"testing"
)

// TestStringerVerbs checks that a notebook value with a String method
// prints with fmt's verbs as go run prints it: its value with %d, %05d,
// %#v, its String with %v, %s, %q, %x.
func TestStringerVerbs(t *testing.T) {
	decl := "type Day int\nfunc (d Day) String() string { return [...]string{\"Sun\", \"Mon\", \"Tue\"}[d] }\nconst Tue Day = 2\ntype Pt struct{ X int }\nfunc (p Pt) String() string { return \"pt\" }"
	for _, tc := range []struct{ name, code, want string }{
		{"d", `fmt.Printf("%d %v", Tue, Day(1))`, "2 Mon"},
		{"width and index", `fmt.Printf("%05d|%[3]s|%[2]q", Tue, Day(0), Day(1))`, `00002|Mon|"Sun"`},
		{"sharp v", `fmt.Printf("%#v %x", Tue, Tue)`, "2 547565"},
		{"Sprintf", `fmt.Sprintf("%d/%s", Day(1), Day(1))`, `="1/Mon"`},
		{"Errorf", `fmt.Errorf("day %d (%v)", Tue, Tue).Error()`, `="day 2 (Tue)"`},
		{"struct", `fmt.Printf("%v %+v %d", Pt{3}, Pt{3}, Pt{3})`, "pt pt {3}"},
		{"variable", "d := Day(1)\nfmt.Printf(\"%d\", d)", "1"},
		{"Fprintf and log", "var b strings.Builder\nfmt.Fprintf(&b, \"%d \", Tue)\nlog.New(&b, \"\", 0).Printf(\"%03d\", Tue)\nfmt.Print(b.String())", "2 002\n"},
		{"star width", `fmt.Printf("%*d|", 3, Tue)`, "  2|"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"fmt\"\nimport \"log\"\nimport \"strings\"\nvar _ = log.Print\nvar _ = strings.ToUpper", decl, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}

// TestPrintInterfaceArgs checks that a notebook value held in an
// interface prints through its String or Error method, as go run prints
// it.
func TestPrintInterfaceArgs(t *testing.T) {
	decl := "type Shape interface{ Area() float64 }\ntype Circle struct{ R float64 }\nfunc (c Circle) Area() float64 { return c.R }\nfunc (c Circle) String() string { return fmt.Sprintf(\"Circle(%g)\", c.R) }\ntype Sq struct{ S float64 }\nfunc (s Sq) Area() float64 { return s.S * s.S }\ntype Oops struct{ N int }\nfunc (o *Oops) Error() string { return fmt.Sprint(\"oops \", o.N) }"
	for _, tc := range []struct{ name, code, want string }{
		{"notebook interface", "var s Shape = Circle{1}\nfmt.Println(s)\nfmt.Printf(\"%v|%s|%5.1f\\n\", s, s, s.Area())", "Circle(1)\nCircle(1)|Circle(1)|  1.0\n"},
		{"slice of interfaces", "for _, s := range []Shape{Sq{2}, Circle{3}} { fmt.Print(s, \" \") }", "{2} Circle(3) "},
		{"any parameter", "func show(v any) string { return fmt.Sprint(v) }\nfmt.Print(show(Circle{4}), \" \", show(7), \" \", show(nil))", "Circle(4) 7 <nil>"},
		{"error in an any", "func show(v any) string { return fmt.Sprintf(\"%v\", v) }\nshow(&Oops{2})", `="oops 2"`},
		{"value verbs", "var s Shape = Circle{5}\nfmt.Printf(\"%+v %d\", s, s)", "Circle(5) {%!d(float64=5)}"},
		{"log", "var b strings.Builder\nl := log.New(&b, \"\", 0)\nvar s Shape = Circle{6}\nl.Println(s)\nfmt.Print(b.String())", "Circle(6)\n"},
		{"slice, array and map of Stringers", "cs := []Circle{{1}, {2}}\nfmt.Println(cs, [1]Circle{{3}}, map[string]Circle{\"a\": {4}})\nfmt.Printf(\"%v|%s|%q|%+v\\n\", cs, cs, cs, cs)", "[Circle(1) Circle(2)] [Circle(3)] map[a:Circle(4)]\n[Circle(1) Circle(2)]|[Circle(1) Circle(2)]|[\"Circle(1)\" \"Circle(2)\"]|[Circle(1) Circle(2)]\n"},
		{"slice of errors, empty and nil slices", "var none []Circle\nfmt.Print([]Oops{{1}}, []*Oops{}, none, []Circle{})", "[{1}] [] [] []"},
		{"%T of notebook types", "type Celsius float64\nvar c Celsius = 20\nsq := Sq{2}\nfmt.Printf(\"%T|%-12T|%T|%v|%T|%T\\n\", c, []Circle{}, &sq, c, map[string]*Sq{}, 3)", "main.Celsius|[]main.Circle|*main.Sq|20|map[string]*main.Sq|int\n"},
		{"slice of Stringers with value verbs", "fmt.Printf(\"%d %#v\", []Circle{{1}}, len([]Circle{{1}}))", "[{%!d(float64=1)}] 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"fmt\"\nimport \"log\"\nimport \"strings\"\nvar _ = log.Print\nvar _ = strings.ToUpper", decl, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}

// TestPrintfVerbs checks the verbs found for each argument of a format,
// numbered as fmt numbers them, and where each stands.
func TestPrintfVerbs(t *testing.T) {
	for format, want := range map[string]map[int][]verb{
		"":               {},
		"100%% %d":       {0: {{'d', false, 7}}},
		"%v %#v %s":      {0: {{'v', false, 1}}, 1: {{'v', true, 5}}, 2: {{'s', false, 8}}},
		"%*d %.*f":       {1: {{'d', false, 2}}, 3: {{'f', false, 7}}},
		"%[2]d %[1]s %d": {1: {{'d', false, 4}, {'d', false, 13}}, 0: {{'s', false, 10}}},
		"%[1]d %[1]q":    {0: {{'d', false, 4}, {'q', false, 10}}},
		"%-08.3f|%+ x|%": {0: {{'f', false, 6}}, 1: {{'x', false, 11}}},
	} {
		if got := printfVerbs(format); !reflect.DeepEqual(got, want) {
			t.Errorf("printfVerbs(%q) = %v, want %v", format, got, want)
		}
	}
}
