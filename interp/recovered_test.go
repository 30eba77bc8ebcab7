package interp

import "testing"

// TestRecoveredRuntimeErrors checks that an index or slice expression out
// of range, recovered by notebook code, is a runtime.Error with Go's
// words (go run adds the operands, "[3] with length 0", which gomp
// cannot know there), and that other panic values are recovered as they
// are.
func TestRecoveredRuntimeErrors(t *testing.T) {
	try := "func try(f func()) (msg string) {\n\tdefer func() {\n\t\tr := recover()\n\t\t_, isRuntime := r.(runtime.Error)\n\t\tmsg = fmt.Sprint(isRuntime, \" \", r)\n\t}()\n\tf()\n\treturn\n}"
	for _, tc := range []struct{ name, code, want string }{
		{"slice index", "try(func() { var xs []int; _ = xs[3] })", `="true runtime error: index out of range"`},
		{"string index", "try(func() { s, i := \"abc\", 5; _ = s[i] })", `="true runtime error: index out of range"`},
		{"slice bounds", "try(func() { xs := []int{1}; n := 4; _ = xs[n:] })", `="true runtime error: slice bounds out of range"`},
		{"panic string", "try(func() { panic(\"boom\") })", `="false boom"`},
		{"panic error", "try(func() { panic(errors.New(\"e\")) })", `="false e"`},
		{"nothing", "func calm() (s string) { defer func() { s = fmt.Sprint(recover()) }(); return \"x\" }\ncalm()", `="<nil>"`},
		{"deferred recover", "func quiet() { defer recover(); panic(\"x\") }\nfunc run() (s string) { defer func() { s = fmt.Sprint(recover()) }(); quiet(); return \"none\" }\nrun()", `="x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"errors\"\nimport \"fmt\"\nimport \"runtime\"\nvar _ = errors.New", try, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}
