package interp

import "testing"

// TestMethodValue checks that a method value binds a copy of its
// receiver when it is evaluated (the wanted outputs are go run's).
func TestMethodValue(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"value receiver", "type G struct{ s string }\nfunc (g G) Hi(n string) string { return g.s + \" \" + n }\ng := G{\"hi\"}\nf := g.Hi\ng.s = \"bye\"\nfmt.Print(f(\"ann\"), \", \", g.Hi(\"bob\"))", "hi ann, bye bob"},
		{"through a pointer", "type C struct{ n int }\nfunc (c C) Get() int { return c.n }\np := &C{1}\nf := p.Get\np.n = 2\nfmt.Print(f(), p.Get())", "1 2"},
		{"pointer receiver sees changes", "type C struct{ n int }\nfunc (c *C) Get() int { return c.n }\nc := C{1}\nf := c.Get\nc.n = 2\nf()", "=2"},
		{"as an argument", "type K int\nfunc (k K) Add(x int) int { return int(k) + x }\napply := func(f func(int) int) int { return f(1) }\nk := K(10)\nf := k.Add\nk = 20\nfmt.Print(apply(k.Add), f(1))", "21 11"},
		{"in a func", "type W struct{ v int }\nfunc (w W) V() int { return w.v }\nfunc later() int {\n\tw := W{3}\n\tf := w.V\n\tw.v = 4\n\treturn f()\n}\nlater()", "=3"},
		{"in a loop", "type W struct{ v int }\nfunc (w W) V() int { return w.v }\nvar fs []func() int\nw := W{}\nfor i := 0; i < 3; i++ { w.v = i; fs = append(fs, w.V) }\nfmt.Print(fs[0](), fs[1](), fs[2]())", "0 1 2"},
	})
}
