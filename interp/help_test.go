package interp

import "testing"

// TestHelpRequest checks which cells ask for help (IPython's ?name and
// name?) and which are Go.
func TestHelpRequest(t *testing.T) {
	for _, tc := range []struct {
		code string
		name string
		ok   bool
	}{
		{"?fmt.Println", "fmt.Println", true},
		{"mp.NewPool?", "mp.NewPool", true},
		{"  ??square \n", "square", true},
		{"?π", "π", true},
		{"fmt.Println", "", false},
		{"x := 1 // what?", "", false},
		{"?fmt.Println(1)", "", false},
		{"?", "", false},
		{"a ? b", "", false},
	} {
		name, ok := HelpRequest(tc.code)
		if name != tc.name || ok != tc.ok {
			t.Errorf("HelpRequest(%q) = %q, %v; want %q, %v", tc.code, name, ok, tc.name, tc.ok)
		}
	}
}
