package runner

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// bigText is the size from which an output's text is streamed by
// encodeNotebook rather than encoded with the rest.
const bigText = 64 << 10

// encodeNotebook writes nb to w as nbformat does (sorted keys, one-space
// indent, trailing newline), holding no more than one copy of its big
// outputs: encoding/json would copy a cell's 200 MB of printed text four
// times over (the lines, each nested Marshaler's result, the indented
// whole). Outputs' texts of bigText or more are replaced by placeholders
// for encoding/json, and streamed line by line where a placeholder comes.
func encodeNotebook(w io.Writer, nb *Notebook) error {
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return err
	}
	mark := "\x00gomp-text-" + hex.EncodeToString(nonce[:]) + ":"
	var big []MultilineString
	placeholder := func(m MultilineString) MultilineString {
		big = append(big, m)
		return MultilineString(fmt.Sprintf("%s%d", mark, len(big)-1))
	}
	shadow := *nb
	shadow.Cells = make([]*Cell, len(nb.Cells))
	for i, c := range nb.Cells {
		shadow.Cells[i] = c
		if !hasBigText(c.Outputs) {
			continue
		}
		cc := *c
		cc.Outputs = make([]Output, len(c.Outputs))
		for j, o := range c.Outputs {
			if len(o.Text) >= bigText {
				o.Text = placeholder(o.Text)
			}
			if o.Data != nil {
				d := make(MIMEData, len(o.Data))
				for k, v := range o.Data {
					if m, ok := v.(MultilineString); ok && len(m) >= bigText {
						v = placeholder(m)
					}
					d[k] = v
				}
				o.Data = d
			}
			cc.Outputs[j] = o
		}
		shadow.Cells[i] = &cc
	}
	var skeleton bytes.Buffer
	enc := json.NewEncoder(&skeleton)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(&shadow); err != nil {
		return err
	}
	if len(big) == 0 {
		_, err := w.Write(skeleton.Bytes())
		return err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	quotedMark, err := json.Marshal(mark)
	if err != nil {
		return err
	}
	quotedMark = bytes.TrimSuffix(quotedMark, []byte(`"`))
	for _, line := range bytes.SplitAfter(skeleton.Bytes(), []byte("\n")) {
		trimmed := bytes.TrimLeft(line, " ")
		if !bytes.HasPrefix(trimmed, quotedMark) {
			bw.Write(line)
			continue
		}
		var n int
		if _, err := fmt.Sscanf(string(trimmed[len(quotedMark):]), "%d", &n); err != nil || n >= len(big) {
			return fmt.Errorf("encode notebook: bad text placeholder %q", trimmed)
		}
		if err := writeLines(bw, line[:len(line)-len(trimmed)], big[n]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// hasBigText reports whether an output's text or text data is big enough
// to stream.
func hasBigText(outs []Output) bool {
	for _, o := range outs {
		if len(o.Text) >= bigText {
			return true
		}
		for _, v := range o.Data {
			if m, ok := v.(MultilineString); ok && len(m) >= bigText {
				return true
			}
		}
	}
	return false
}

// writeLines writes text as the elements of a JSON list of lines, one per
// row at indent, as MultilineString's MarshalJSON and the indenting
// encoder would.
func writeLines(w *bufio.Writer, indent []byte, text MultilineString) error {
	s := string(text)
	for s != "" {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line = s[:i+1]
		}
		s = s[len(line):]
		// json.Marshal, as MultilineString.MarshalJSON encodes its lines
		// (escaping <, > and &).
		quoted, err := json.Marshal(line)
		if err != nil {
			return err
		}
		w.Write(indent)
		w.Write(quoted)
		if s != "" {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
	}
	return nil
}
