package interp

import "testing"

// TestFmtInterfaceAssertions checks type switches and assertions to
// fmt.Stringer and error of notebook values held in an any, as go run
// runs them.
func TestFmtInterfaceAssertions(t *testing.T) {
	decl := "type Circle struct{ R float64 }\nfunc (c Circle) String() string { return fmt.Sprintf(\"Circle(%g)\", c.R) }\ntype E struct{ C int }\nfunc (e E) Error() string { return fmt.Sprint(\"E\", e.C) }\ntype Rect struct{ W float64 }"
	for _, tc := range []struct{ name, code, want string }{
		{"type switch", "func kind(v any) string {\n\tswitch x := v.(type) {\n\tcase nil:\n\t\treturn \"nil\"\n\tcase error:\n\t\treturn \"error \" + x.Error()\n\tcase fmt.Stringer:\n\t\treturn \"stringer \" + x.String()\n\tdefault:\n\t\treturn fmt.Sprintf(\"other %v\", x)\n\t}\n}\nfor _, v := range []any{nil, Circle{2}, E{3}, Rect{4}, time.Second, errors.New(\"std\")} { fmt.Println(kind(v)) }", "nil\nstringer Circle(2)\nerror E3\nother {4}\nstringer 1s\nerror std\n"},
		{"comma ok", "func str(v any) string {\n\tif s, ok := v.(fmt.Stringer); ok {\n\t\treturn s.String()\n\t}\n\treturn \"no\"\n}\nfmt.Print(str(Circle{1}), \" \", str(Rect{1}), \" \", str(time.Minute))", "Circle(1) no 1m0s"},
		{"single", "func msg(v any) string { return v.(error).Error() }\nmsg(E{7})", `="E7"`},
		{"failing", "func msg(v any) string { return v.(error).Error() }\nfunc try() (r any) { defer func() { r = recover() != nil }(); msg(Rect{1}); return }\ntry()", "=true"},
		{"renamed import", "func str(v any) string {\n\tswitch x := v.(type) {\n\tcase f.Stringer:\n\t\treturn x.String()\n\t}\n\treturn \"-\"\n}\nstr(Circle{5})", `="Circle(5)"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"errors\"\nimport \"fmt\"\nimport f \"fmt\"\nimport \"time\"\nvar _ = errors.New\nvar _ = time.Now\nvar _ = f.Sprint", decl, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}
