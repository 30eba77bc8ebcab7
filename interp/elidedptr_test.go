package interp

import "testing"

// TestElidedPtr checks composite literals whose &T is elided in a
// literal of pointers (the wanted outputs are go run's).
func TestElidedPtr(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"named map of a compiled type", "import \"testing/fstest\"\nfsys := fstest.MapFS{\"a\": {Data: []byte(\"x\")}}\nfmt.Print(string(fsys[\"a\"].Data))", "x"},
		{"in a func", "import \"testing/fstest\"\nfunc files() fstest.MapFS { return fstest.MapFS{\"b\": {Data: []byte(\"y\")}} }\nfmt.Print(string(files()[\"b\"].Data))", "y"},
		{"slice of a notebook type", "type node struct{ v int }\nns := []*node{{1}, {v: 2}}\nfmt.Print(ns[0].v, ns[1].v)", "1 2"},
		{"map keys", "import \"image\"\nm := map[*image.Point]int{{1, 2}: 3}\nfor k, v := range m { fmt.Print(k.X, k.Y, v) }", "1 2 3"},
		{"nested", "type leaf struct{ n int }\nxs := [][]*leaf{{{1}, {2}}, {{3}}}\nfmt.Print(xs[0][1].n, xs[1][0].n)", "2 3"},
		{"not a pointer", "type pt struct{ x int }\nps := []pt{{4}}\nfmt.Print(ps[0].x)", "4"},
	})
}
