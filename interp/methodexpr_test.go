package interp

import "testing"

// TestMethodExpr checks method expressions T.M (the wanted outputs are
// go run's).
func TestMethodExpr(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"compiled type, called", "import \"time\"\nbefore := time.Time.Before\nt0 := time.Unix(0, 0)\nfmt.Print(before(t0, t0.Add(time.Second)))", "true"},
		{"compiled type, passed", "import (\"net/netip\"; \"slices\")\nps := []netip.Addr{netip.MustParseAddr(\"10.0.0.2\"), netip.MustParseAddr(\"10.0.0.1\")}\nslices.SortFunc(ps, netip.Addr.Compare)\nfmt.Print(ps)", "[10.0.0.1 10.0.0.2]"},
		{"pointer receiver", "import \"strings\"\nvar b strings.Builder\nw := (*strings.Builder).WriteString\nw(&b, \"hi\")\nfmt.Print(b.String())", "hi"},
		{"variadic", "import (\"bytes\"; \"log\")\nvar buf bytes.Buffer\nlg := log.New(&buf, \"\", 0)\n(*log.Logger).Printf(lg, \"%d-%s\", 1, \"a\")\nfmt.Print(buf.String())", "1-a\n"},
		{"interface", "import \"net/netip\"\ns := fmt.Stringer.String\nfmt.Print(s(netip.MustParseAddr(\"::1\")))", "::1"},
		{"notebook type", "type P struct{ n int }\nfunc (p P) Less(o P) bool { return p.n < o.n }\nless := P.Less\nfmt.Print(less(P{1}, P{2}), less(P{2}, P{1}))", "true false"},
	})
}
