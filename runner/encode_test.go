package runner

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestEncodeNotebookStreamsBigTexts checks that a notebook with big
// outputs (streamed line by line) is written byte for byte as
// encoding/json writes it whole, for texts that need escaping, end with
// or without a newline, and hold empty lines.
func TestEncodeNotebookStreamsBigTexts(t *testing.T) {
	line := "a \"quoted\" <b>&amp; tab\t back\\slash é \u2028 \x01 line\n"
	big := strings.Repeat(line, bigText/len(line)+1)
	count := 3
	nb := &Notebook{
		Cells: []*Cell{
			{Type: "markdown", ID: "m", Source: "text"},
			{Type: "code", ID: "c1", Source: "x", ExecutionCount: &count, Outputs: []Output{
				{OutputType: "stream", Name: "stdout", Text: MultilineString(big)},
				{OutputType: "stream", Name: "stderr", Text: MultilineString(big + "\n\nno newline at the end")},
				{OutputType: "display_data", Data: MIMEData{"text/plain": MultilineString(big), "text/html": MultilineString("<p>small</p>"), "application/json": map[string]any{"a": 1}}},
				{OutputType: "execute_result", ExecutionCount: &count, Data: MIMEData{"text/plain": MultilineString("small")}},
			}},
			{Type: "code", ID: "c2", Source: "y", Outputs: []Output{{OutputType: "stream", Name: "stdout", Text: "small\n"}}},
		},
		Metadata: map[string]json.RawMessage{"kernelspec": json.RawMessage(`{"name":"gomp"}`)},
		NBFormat: 4, NBFormatMinor: 5,
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := encodeNotebook(&got, nb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := got.String(), want.String()
		i := 0
		for i < min(len(g), len(w)) && g[i] == w[i] {
			i++
		}
		t.Errorf("streamed notebook differs from encoding/json's at byte %d of %d/%d:\ngot  %q\nwant %q", i, len(g), len(w), g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
	}
	if nb.Cells[1].Outputs[0].Text != MultilineString(big) {
		t.Error("encoding changed the notebook's outputs")
	}
}
