//go:build linux

package interp

import (
	"fmt"
	"strings"
	"testing"
)

// globalKinds are notebook variables of each kind mp's documentation
// promises for arguments, with an expression showing each and what it
// shows (%T %#v). Pointers are shown through what they point to:
// addresses differ between processes. P refers to itself, which yaegi's
// reflect type names *unsafe2.dummy.
var globalKinds = []struct{ name, decl, show, want string }{
	{"int", "var gInt = -1 << 40", "gInt", "int -1099511627776"},
	{"uint8", "var gU8 uint8 = 255", "gU8", "uint8 0xff"},
	{"uint64 max", "var gU64 uint64 = math.MaxUint64", "gU64", "uint64 0xffffffffffffffff"},
	{"float32", "var gF32 float32 = 1.5", "gF32", "float32 1.5"},
	{"complex128", "var gC = complex(1.5, -2)", "gC", "complex128 (1.5-2i)"},
	{"complex64", "var gC64 complex64 = 3i", "gC64", "complex64 (0+3i)"},
	{"NaN", "var gNaN = math.NaN()", "gNaN", "float64 NaN"},
	{"Inf and -0", "var gInf = []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}", "gInf", "[]float64 []float64{+Inf, -Inf, -0}"},
	{"string", `var gS = "héllo\x00world"`, "gS", "string \"héllo\\x00world\""},
	{"bool", "var gB = true", "gB", "bool true"},
	{"bytes", "var gBytes = []byte{0, 1, 255}", "gBytes", "[]uint8 []byte{0x0, 0x1, 0xff}"},
	{"slice", `var gSl = []string{"a", "", "c"}`, "gSl", `[]string []string{"a", "", "c"}`},
	{"nil slice", "var gNilSl []int", "gNilSl == nil", "bool true"},
	{"array", "var gArr = [3]int{1, 2, 3}", "gArr", "[3]int [3]int{1, 2, 3}"},
	{"map", `var gM = map[string][]int{"a": {1}, "b": nil}`, "gM", `map[string][]int map[string][]int{"a":[]int{1}, "b":[]int(nil)}`},
	{"map with struct keys", `var gMK = map[Key]float64{{1, "x"}: 2.5, {2, "y"}: math.NaN()}`, "gMK", `map[main.Key]float64 map[struct { A int; B string }]float64{struct { A int; B string }{A:1, B:"x"}:2.5, struct { A int; B string }{A:2, B:"y"}:NaN}`},
	{"nil map", "var gNilM map[string]int", "gNilM == nil", "bool true"},
	{"struct", `var gP = P{X: 1, Y: 2.5, Label: "p", hidden: 9}`, "gP", `main.P struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy }{X:1, Y:2.5, Label:"p", Xhidden:9, Next:(*struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy })(nil)}`},
	{"pointer", "var gPtr = &P{X: 1, Next: &P{X: 2}}", "*gPtr.Next", `struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy } struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy }{X:2, Y:0, Label:"", Xhidden:0, Next:(*struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy })(nil)}`},
	{"nil pointer", "var gNilPtr *P", "gNilPtr == nil", "bool true"},
	{"nested", `var gNest = map[string][]*P{"a": {{X: 3}, nil}}`, `[]any{*gNest["a"][0], gNest["a"][1] == nil}`, `[]interface {} []interface {}{struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy }{X:3, Y:0, Label:"", Xhidden:0, Next:(*struct { X float64; Y float64; Label string; Xhidden int; Next *unsafe2.dummy })(nil)}, true}`},
	{"interface", `var gAny any = []any{1, "a", map[string]any{"k": 2.5}}`, "gAny", `[]interface {} []interface {}{1, "a", map[string]interface {}{"k":2.5}}`},
	{"nil interface", "var gNilAny any", "gNilAny == nil", "bool true"},
	{"struct in an interface", `var gAnyK any = []any{Key{1, "k"}, []int{2}}`, "gAnyK", `[]interface {} []interface {}{struct { A int; B string }{A:1, B:"k"}, []int{2}}`},
	{"defined by :=", "gDef := []complex128{1i}", "gDef", "[]complex128 []complex128{(0+1i)}"},
	{"time.Time, which marshals itself", "var gTime = time.Date(2024, 2, 29, 23, 59, 1, 5, time.UTC)", "gTime.String()", `string "2024-02-29 23:59:01.000000005 +0000 UTC"`},
	{"*big.Int, which marshals itself", "var gBig = new(big.Int).Lsh(big.NewInt(-3), 100)", "gBig.String()", `string "-3802951800684688204490109616128"`},
}

// TestGlobalKindsReachChildren declares a global of each kind and checks
// that a Pool worker and a Process see each as the notebook does.
func TestGlobalKindsReachChildren(t *testing.T) {
	s := newTestSession(t)
	useMP(t, s)
	var decls, shows []string
	for _, g := range globalKinds {
		decls = append(decls, g.decl)
		shows = append(shows, fmt.Sprintf("fmt.Sprintf(%q, %s, %s)", "%T %#v\n", g.show, g.show))
	}
	runMPCell(t, s, `import (
	"fmt"
	"math"
	"math/big"
	"mp"
	"time"
)
type Key struct {
	A int
	B string
}
type P struct {
	X, Y   float64
	Label  string
	hidden int
	Next   *P
}
`+strings.Join(decls, "\n")+`
func dump(n int) string {
	return `+strings.Join(shows, " +\n\t\t")+`
}
func printDump() { fmt.Print(dump(0)) }`)
	parent, _ := runMPCell(t, s, "fmt.Print(dump(0))")
	// Interpreted workers: compiled ones name the notebook's types (%T
	// prints main.P) and refuse P's self-referential values (workerbuild's
	// TestGenerateRefuses).
	pool, _ := runMPCell(t, s, "pool := mp.NewPool(1, mp.WithWorkers(mp.Interpreted))\nout, err := pool.Apply(dump, 0)\nfmt.Print(out, err)\npool.Terminate()")
	process, _ := runMPCell(t, s, "p := mp.NewProcess(printDump, mp.WithWorkers(mp.Interpreted))\np.Start()\np.Join()")
	pool = strings.TrimSuffix(pool, "<nil>")
	lines := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	pl, wl, cl := lines(parent), lines(pool), lines(process)
	if len(pl) != len(globalKinds) || len(wl) != len(pl) || len(cl) != len(pl) {
		t.Fatalf("notebook printed\n%s\nworker\n%s\nprocess\n%s", parent, pool, process)
	}
	for i, g := range globalKinds {
		t.Run(g.name, func(t *testing.T) {
			if g.want != "" && pl[i] != g.want {
				t.Errorf("notebook: %s is %s, want %s", g.show, pl[i], g.want)
			}
			if wl[i] != pl[i] {
				t.Errorf("pool worker: %s is %s, notebook %s", g.show, wl[i], pl[i])
			}
			if cl[i] != pl[i] {
				t.Errorf("process: %s is %s, notebook %s", g.show, cl[i], pl[i])
			}
		})
	}
}
