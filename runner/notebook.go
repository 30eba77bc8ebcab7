package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// Notebook is an nbformat 4 document. Fields the runner does not touch are
// kept as they were read, so running a notebook changes only its outputs,
// execution counts and the kernel's metadata.
type Notebook struct {
	Cells         []*Cell                    `json:"cells"`
	Metadata      map[string]json.RawMessage `json:"metadata"`
	NBFormat      int                        `json:"nbformat"`
	NBFormatMinor int                        `json:"nbformat_minor"`

	// mode is the permission bits of the file it was read from, which a
	// new file written from it gets: a private notebook stays private.
	mode os.FileMode
}

// Cell is one notebook cell. Source is kept as text; on disk nbformat may
// store it as a string or a list of lines.
type Cell struct {
	Type           string                     `json:"cell_type"`
	ID             string                     `json:"id,omitempty"`
	Metadata       map[string]json.RawMessage `json:"metadata"`
	Source         MultilineString            `json:"source"`
	Attachments    json.RawMessage            `json:"attachments,omitempty"`
	ExecutionCount *int                       `json:"execution_count,omitempty"`
	Outputs        []Output                   `json:"outputs,omitempty"`
}

// Output is one cell output in the form nbconvert writes: stream,
// execute_result, display_data or error.
type Output struct {
	OutputType     string          `json:"output_type"`
	Name           string          `json:"name,omitempty"`
	Text           MultilineString `json:"text,omitempty"`
	ExecutionCount *int            `json:"execution_count,omitempty"`
	Data           MIMEData        `json:"data,omitempty"`
	Metadata       *map[string]any `json:"metadata,omitempty"`
	EName          string          `json:"ename,omitempty"`
	EValue         string          `json:"evalue,omitempty"`
	Traceback      []string        `json:"traceback,omitempty"`
}

// MarshalJSON writes the cell with sorted keys and exactly the fields
// nbformat requires for its type: code cells always carry execution_count
// (null when not run) and outputs; other cells carry neither.
func (c *Cell) MarshalJSON() ([]byte, error) {
	m := map[string]any{"cell_type": c.Type, "metadata": orEmpty(c.Metadata), "source": c.Source}
	if c.ID != "" {
		m["id"] = c.ID
	}
	if len(c.Attachments) > 0 {
		m["attachments"] = c.Attachments
	}
	if c.Type == "code" {
		m["execution_count"] = c.ExecutionCount
		outs := c.Outputs
		if outs == nil {
			outs = []Output{}
		}
		m["outputs"] = outs
	}
	return json.Marshal(m)
}

// MarshalJSON writes the output with sorted keys and the fields its type needs.
func (o Output) MarshalJSON() ([]byte, error) {
	m := map[string]any{"output_type": o.OutputType}
	switch o.OutputType {
	case "stream":
		m["name"], m["text"] = o.Name, o.Text
	case "execute_result", "display_data":
		m["data"] = o.Data
		md := map[string]any{}
		if o.Metadata != nil {
			md = *o.Metadata
		}
		m["metadata"] = md
		if o.OutputType == "execute_result" {
			m["execution_count"] = o.ExecutionCount
		}
	case "error":
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["ename"], m["evalue"], m["traceback"] = o.EName, o.EValue, tb
	}
	return json.Marshal(m)
}

func orEmpty(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return map[string]json.RawMessage{}
	}
	return m
}

// MIMEData is an output's data: MIME type to value. JSON types
// (application/json, anything ending in +json) hold any JSON value; all
// others hold a MultilineString, as nbformat stores them.
type MIMEData map[string]any

// isJSONMIME reports whether values of MIME type t are JSON, not text.
func isJSONMIME(t string) bool { return t == "application/json" || strings.HasSuffix(t, "+json") }

// NewMIMEData converts a display bundle (strings and JSON values) to MIMEData.
func NewMIMEData(b map[string]any) MIMEData {
	d := make(MIMEData, len(b))
	for k, v := range b {
		if s, ok := v.(string); ok && !isJSONMIME(k) {
			d[k] = MultilineString(s)
			continue
		}
		d[k] = v
	}
	return d
}

// Text returns the value for MIME type t as text: the text itself, or
// compact JSON for a JSON type.
func (d MIMEData) Text(t string) string {
	switch v := d[t].(type) {
	case MultilineString:
		return string(v)
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// UnmarshalJSON reads text types as MultilineString (a string or a list
// of lines) and JSON types as they are.
func (d *MIMEData) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*d = make(MIMEData, len(raw))
	for k, r := range raw {
		if isJSONMIME(k) {
			var v any
			if err := json.Unmarshal(r, &v); err != nil {
				return fmt.Errorf("data %q: %w", k, err)
			}
			(*d)[k] = v
			continue
		}
		var m MultilineString
		if err := json.Unmarshal(r, &m); err != nil {
			return fmt.Errorf("data %q: %w", k, err)
		}
		(*d)[k] = m
	}
	return nil
}

// MultilineString is nbformat's text: a string or a list of lines on disk,
// written back as a list of lines as nbformat does.
type MultilineString string

// UnmarshalJSON accepts both a string and a list of strings.
func (m *MultilineString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = MultilineString(s)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		return errors.New("text must be a string or a list of strings")
	}
	*m = MultilineString(strings.Join(lines, ""))
	return nil
}

// String returns the text.
func (m MultilineString) String() string { return string(m) }

// MarshalJSON writes a list of lines, each keeping its newline.
func (m MultilineString) MarshalJSON() ([]byte, error) {
	lines := strings.SplitAfter(string(m), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if lines == nil {
		lines = []string{}
	}
	return json.Marshal(lines)
}

// ReadNotebook reads and checks an nbformat 4 notebook whose kernel is Go.
// Errors name the file and what is wrong with it.
func ReadNotebook(path string) (*Notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb := Notebook{mode: 0o644}
	if st, err := os.Stat(path); err == nil {
		nb.mode = st.Mode().Perm()
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
			return nil, fmt.Errorf("%s: not a notebook: invalid JSON at line %d: %v", path, line, err)
		}
		return nil, fmt.Errorf("%s: not a notebook: %v", path, err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("%s: nbformat %d is not supported (want 4)", path, nb.NBFormat)
	}
	if lang := nb.language(); lang != "go" {
		return nil, fmt.Errorf("%s: the notebook's kernel is for %q, not Go (metadata.kernelspec.language / language_info.name)", path, lang)
	}
	nb.addCellIDs()
	return &nb, nil
}

// cellIDPattern is what nbformat 4.5 allows as a cell id.
var cellIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// addCellIDs gives every cell a valid id unique in the notebook, as
// nbformat 4.5 requires and as nbformat does when nbconvert writes an older
// notebook (which it otherwise does with a warning; a notebook without ids
// also cannot be trusted with jupyter trust), and makes the notebook 4.5.
// A missing, invalid or repeated id is replaced. nbformat picks random
// ids; these are derived from the cell's position and content, so that
// running the same notebook twice writes the same ids.
func (nb *Notebook) addCellIDs() {
	seen := map[string]bool{} // every valid id, so that a new one is new
	for _, c := range nb.Cells {
		if cellIDPattern.MatchString(c.ID) {
			seen[c.ID] = true
		}
	}
	kept := map[string]bool{} // ids kept so far: a second use is replaced
	for i, c := range nb.Cells {
		if cellIDPattern.MatchString(c.ID) && !kept[c.ID] {
			kept[c.ID] = true
			continue
		}
		for n := 0; ; n++ {
			sum := sha256.Sum256([]byte(fmt.Sprintf("%d\x00%d\x00%s\x00%s", i, n, c.Type, c.Source)))
			if id := hex.EncodeToString(sum[:4]); !seen[id] {
				c.ID, seen[id], kept[id] = id, true, true
				break
			}
		}
	}
	if nb.NBFormatMinor < 5 {
		nb.NBFormatMinor = 5
	}
}

// language is the notebook's language as its metadata says, "go" when it
// says nothing (a new notebook written by hand).
func (nb *Notebook) language() string {
	var ks struct {
		Language string `json:"language"`
		Name     string `json:"name"`
	}
	var li struct {
		Name string `json:"name"`
	}
	if raw, ok := nb.Metadata["kernelspec"]; ok {
		_ = json.Unmarshal(raw, &ks)
	}
	if raw, ok := nb.Metadata["language_info"]; ok {
		_ = json.Unmarshal(raw, &li)
	}
	switch {
	case ks.Language != "":
		return strings.ToLower(ks.Language)
	case li.Name != "":
		return strings.ToLower(li.Name)
	case ks.Name == "gomp":
		return "go"
	case ks.Name != "":
		return ks.Name
	}
	return "go"
}

// WriteNotebook writes nb to path as nbformat does (sorted keys, one-space
// indent, trailing newline). See writeNotebook; a new file gets mode 0644.
func WriteNotebook(path string, nb *Notebook) error {
	return writeNotebook(path, nb, 0o644)
}

// writeNotebook writes nb to path through a temporary file renamed into
// place, so that a notebook is never left half-written. When path is a
// symbolic link the file it points to is written and the link stays; an
// existing file keeps its permissions (and, where allowed, its owner); a
// new one gets newMode.
func writeNotebook(path string, nb *Notebook, newMode os.FileMode) error {
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	}
	mode, owner := newMode, (*syscall.Stat_t)(nil)
	if st, err := os.Stat(target); err == nil {
		mode = st.Mode().Perm()
		owner, _ = st.Sys().(*syscall.Stat_t)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	fail := func(err error) error {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := encodeNotebook(tmp, nb); err != nil {
		return fail(fmt.Errorf("encode: %w", err))
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if owner != nil && (int(owner.Uid) != os.Getuid() || int(owner.Gid) != os.Getgid()) {
		// Only root may give a file away; for anyone else the new file is
		// theirs, as a file nbconvert writes would be.
		_ = tmp.Chown(int(owner.Uid), int(owner.Gid))
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
