package interp

import "testing"

// TestJSONUnexportedFields checks that json.Marshal and MarshalIndent
// leave a notebook struct's unexported fields out, as go run does (the
// wanted outputs are go run's).
func TestJSONUnexportedFields(t *testing.T) {
	decl := "type A struct{ City string; zip int }\ntype U struct {\n\tName string `json:\"name\"`\n\tsecret string\n\tAddr *A `json:\"addr,omitempty\"`\n\tAll []A\n\tBy map[string]A\n\tAny any\n\tWhen time.Time\n}\ntype M struct{ hidden int }\nfunc (m M) MarshalJSON() ([]byte, error) { return []byte(`\"custom\"`), nil }"
	for _, tc := range []struct{ name, code, want string }{
		{"flat", "b, err := json.Marshal(A{\"Oslo\", 1})\nfmt.Print(string(b), err)", `{"City":"Oslo"}<nil>`},
		{"nested", "u := U{Name: \"ann\", secret: \"x\", Addr: &A{\"Rome\", 2}, All: []A{{\"a\", 3}}, By: map[string]A{\"k\": {\"b\", 4}}, Any: A{\"c\", 5}, When: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}\nb, _ := json.Marshal(u)\nfmt.Print(string(b))", `{"name":"ann","addr":{"City":"Rome"},"All":[{"City":"a"}],"By":{"k":{"City":"b"}},"Any":{"City":"c"},"When":"2024-01-02T00:00:00Z"}`},
		{"nil parts", "b, _ := json.Marshal(U{})\nfmt.Print(string(b))", `{"name":"","All":null,"By":null,"Any":null,"When":"0001-01-01T00:00:00Z"}`},
		{"pointer and slice", "b, _ := json.Marshal([]*A{{\"x\", 1}, nil})\nfmt.Print(string(b))", `[{"City":"x"},null]`},
		{"indent", "b, _ := json.MarshalIndent(A{\"Oslo\", 1}, \"\", \" \")\nfmt.Print(string(b))", "{\n \"City\": \"Oslo\"\n}"},
		{"MarshalJSON", "b, err := json.Marshal(M{1})\nfmt.Print(string(b), err)", `"custom"<nil>`},
		{"Encoder", "var b strings.Builder\nenc := json.NewEncoder(&b)\nenc.Encode(A{\"Oslo\", 1})\njson.NewEncoder(&b).Encode([]A{{\"x\", 2}})\nfmt.Print(b.String())", "{\"City\":\"Oslo\"}\n[{\"City\":\"x\"}]\n"},
		{"compiled value", "b, _ := json.Marshal(map[string]int{\"a\": 1})\nfmt.Print(string(b))", `{"a":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"encoding/json\"\nimport \"fmt\"\nimport \"strings\"\nimport \"time\"\nvar _ = time.Now\nvar _ = strings.ToUpper", decl, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}
