package interp

import (
	"strings"
	"testing"
)

// TestStdlibOfGoInUse checks that cells get the standard library of the Go
// gomp is built with, including what yaegi's Go 1.22 set left out or
// restricted (os/exec, syscall, iter, log.Logger's SetPrefix), while the
// exits stay trapped: os.Exit and log's Fatal end the cell, not the kernel.
func TestStdlibOfGoInUse(t *testing.T) {
	s := newTestSession(t)
	for _, tc := range []struct{ name, code, want string }{
		{"os/exec runs a child", "import \"os/exec\"\nout, _ := exec.Command(\"echo\", \"hi\").Output()\nstring(out)", `"hi\n"`},
		{"syscall", "import \"syscall\"\nsyscall.Getpid() > 0", "true"},
		{"function added in Go 1.24", "import \"strings\"\nn := 0\nfor range strings.SplitSeq(\"a,b,c\", \",\") { n++ }\nn", "3"},
		{"package added in Go 1.24", "import \"crypto/sha3\"\nlen(sha3.Sum256([]byte(\"x\")))", "32"},
		{"environment is the process's", "import \"os\"\nos.Setenv(\"GOMP_STDLIB_TEST\", \"yes\")\nout, _ := exec.Command(\"sh\", \"-c\", \"echo $GOMP_STDLIB_TEST\").Output()\nstring(out)", `"yes\n"`},
		{"unsafe", "import (\"fmt\"; \"unsafe\")\nvar word int64\np := unsafe.Pointer(&word)\n*(*int64)(p) = 5\nfmt.Sprint(unsafe.Sizeof(word), word)", `"8 5"`},
		{"uintptr to unsafe.Pointer", "q := unsafe.Pointer(uintptr(p))\n*(*int64)(q)", "5"},
		{"log.Logger has SetPrefix", "import (\"log\"; \"bytes\")\nvar buf bytes.Buffer\nl := log.New(&buf, \"\", 0)\nl.SetPrefix(\"p: \")\nl.Print(\"x\")\nbuf.String()", `"p: x\n"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustRun(t, s, tc.code).Text; got != tc.want {
				t.Errorf("%q = %s, want %s", tc.code, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, code, want string }{
		{"os.Exit", "import \"os\"\nos.Exit(3)", "exit status 3"},
		{"Logger.Fatal", "import \"log\"\nl := log.New(&buf, \"\", 0)\nl.Fatal(\"bye\")", "exit status 1"},
	} {
		t.Run(tc.name+" ends the cell", func(t *testing.T) {
			_, err := s.Execute(t.Context(), tc.code, IO{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: err = %v, want one naming %s", tc.code, err, tc.want)
			}
			if got := mustRun(t, s, "1 + 1").Text; got != "2" {
				t.Errorf("after %s the session gives %s", tc.name, got)
			}
		})
	}
}
