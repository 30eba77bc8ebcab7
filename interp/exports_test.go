package interp

import (
	"strings"
	"testing"
)

// TestLazyPackages checks that standard packages outside basePackages are
// registered when a cell, a rebuilt interpreter or a restored snapshot
// imports them, and that the base ones keep yaegi's and the session's
// adjustments.
func TestLazyPackages(t *testing.T) {
	s := newTestSession(t)
	for _, tc := range []struct{ name, code, want string }{
		{"plain package", "import \"strings\"\nstrings.ToUpper(\"go\")", `"GO"`},
		{"path differs from its key", "import \"math/rand\"\nrand.New(rand.NewSource(1)).Intn(1) == 0", "true"},
		{"versioned path", "import rv2 \"math/rand/v2\"\nrv2.IntN(1)", "0"},
		{"package with its own imports", "import \"encoding/json\"\njson.Valid([]byte(`{\"a\": 1}`))", "true"},
		{"generic source package", "import \"slices\"\nslices.Index([]int{4, 5}, 5)", "1"},
		{"base package keeps its adjustments", "import \"os\"\nlen(os.Args)", "1"},
		{"rebuilt interpreter", "import \"strconv\"\nfunc show(n int) string { return strconv.Itoa(n) + strings.Repeat(\"!\", 1) }\nshow(7)", `"7!"`},
		{"after rebuild", "func show(n int) string { return strconv.Itoa(n+1) + strings.Repeat(\"?\", 1) }\nshow(7)", `"8?"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustRun(t, s, tc.code).Text; got != tc.want {
				t.Errorf("%q = %s, want %s", tc.code, got, tc.want)
			}
		})
	}
	t.Run("not a standard package", func(t *testing.T) {
		_, err := s.Execute(t.Context(), "import \"example.com/nothing\"", IO{})
		if err == nil || !strings.Contains(err.Error(), "cannot import") {
			t.Errorf("import of a non-standard package: %v", err)
		}
	})
	t.Run("restored snapshot", func(t *testing.T) {
		snap, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		child := newTestSession(t)
		if err := child.Restore(snap); err != nil {
			t.Fatal(err)
		}
		if got := mustRun(t, child, "show(1) + strings.ToLower(\"X\")").Text; got != `"2?x"` {
			t.Errorf("show in the restored session = %s", got)
		}
	})
}

// TestExitProcess checks that os.Exit ends only the cell in a kernel's
// session, while a worker's session lets it end the process (tested across
// a real process in testdata/jupyter/test_mp.py): the symbol differs.
func TestExitProcess(t *testing.T) {
	for _, tc := range []struct {
		name string
		exit bool
	}{{"kernel", false}, {"worker", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(Options{ExitProcess: tc.exit})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := s.overrides()["os/os"]["Exit"].IsValid()
			if got != tc.exit {
				t.Errorf("os.Exit replaced by the real one: %v, want %v", got, tc.exit)
			}
		})
	}
}
