package interp

import "testing"

// TestIfaceImports checks values and untyped nils handed to compiled
// interface types whose package the notebook does not import (the wanted
// outputs are go run's).
func TestIfaceImports(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"in a func", "import \"net/http\"\nfunc path() string {\n\tr, _ := http.NewRequest(\"GET\", \"http://example.com/x\", nil)\n\treturn r.URL.Path\n}\nfmt.Print(path())", "/x"},
		{"top level", "import \"net/http/httptest\"\nreq := httptest.NewRequest(\"GET\", \"/y\", nil)\nfmt.Print(req.URL.Path)", "/y"},
		{"assigned", "import \"bufio\"\nfunc mk() bool {\n\tr := bufio.NewReader(nil)\n\treturn r != nil\n}\nfmt.Print(mk())", "true"},
		{"notebook reader", "import \"bufio\"\ntype as struct{}\nfunc (as) Read(p []byte) (int, error) {\n\tfor i := range p {\n\t\tp[i] = 'a'\n\t}\n\treturn len(p), nil\n}\nfunc peek() string {\n\tb, _ := bufio.NewReader(as{}).Peek(3)\n\treturn string(b)\n}\nfmt.Print(peek())", "aaa"},
		{"variadic and any untouched", "fmt.Print(nil, 1)", "<nil> 1"},
	})
}
