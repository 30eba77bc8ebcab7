package interp

import "testing"

// TestPanicArg checks what recover returns for panics with interface
// values and nil (the wanted outputs are go run's).
func TestPanicArg(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"nil", "import \"runtime\"\nfunc try() (r any) {\n\tdefer func() { r = recover() }()\n\tpanic(nil)\n}\n_, ok := try().(*runtime.PanicNilError)\nfmt.Print(ok)", "true"},
		{"error", "import \"errors\"\nfunc try() (err error) {\n\tdefer func() { err = recover().(error) }()\n\tpanic(errors.New(\"boom\"))\n}\nfmt.Print(try())", "boom"},
		{"any", "func try(v any) (r any) {\n\tdefer func() { r = recover() }()\n\tpanic(v)\n}\nfmt.Printf(\"%T %v\", try(3), try(3))", "int 3"},
		{"nil interface variable", "func try() (r any) {\n\tdefer func() { r = recover() }()\n\tvar err error\n\tpanic(err)\n}\nfmt.Print(try() != nil)", "true"},
		{"string", "func try() (r any) {\n\tdefer func() { r = recover() }()\n\tpanic(\"s\")\n}\nfmt.Printf(\"%T %v\", try(), try())", "string s"},
		{"notebook pointer", "type state struct{ n int }\nfunc try() (r any) {\n\tdefer func() { r = recover() }()\n\tpanic(&state{2})\n}\nfmt.Print(try().(*state).n)", "2"},
		{"terminating", "func sign(x int) int {\n\tif x >= 0 {\n\t\treturn 1\n\t}\n\tvar e error\n\tpanic(e)\n}\nfmt.Print(sign(4))", "1"},
	})
}
