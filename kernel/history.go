package kernel

import "unicode/utf8"

// historySession is the session number the kernel reports for its cells.
// The kernel keeps no history database, so there is only the current
// session; as in IPython, session 0 in a range request also means it.
const historySession = 1

// historyEntry is one stored cell.
type historyEntry struct {
	line   int // execution_count
	code   string
	output any // its result's text/plain (IPython's Out[n]), or nil
}

// history holds the cells of this session that stored history, in order.
// It is owned by the shell goroutine. Go code is not transformed before it
// runs, so the raw and the translated input are the same text: what the
// frontend sent.
type history struct {
	entries []historyEntry
}

// add records code as line.
func (h *history) add(line int, code string) {
	h.entries = append(h.entries, historyEntry{line: line, code: code})
}

// setOutput records the text/plain of line's result.
func (h *history) setOutput(line int, text any) {
	if n := len(h.entries); n > 0 && h.entries[n-1].line == line {
		h.entries[n-1].output = text
	}
}

// tail returns the last n entries.
func (h *history) tail(n int) []historyEntry {
	if n <= 0 {
		return nil
	}
	return h.entries[max(0, len(h.entries)-n):]
}

// lines returns the entries whose line is in [start, stop), read the way
// IPython reads its current session: a negative start or stop counts from
// the end, and a stop of 0 means through the last line.
func (h *history) lines(start, stop int) []historyEntry {
	end := len(h.entries) + 1 // one past the last line number
	if start < 0 {
		start += end
	}
	switch {
	case stop == 0 || stop > end:
		stop = end
	case stop < 0:
		stop += end
	}
	var out []historyEntry
	for _, e := range h.entries {
		if e.line >= start && e.line < stop {
			out = append(out, e)
		}
	}
	return out
}

// search returns the entries whose code matches the glob pattern, the last
// n of them when n > 0; with unique, only the latest of equal codes.
func (h *history) search(pattern string, n int, unique bool) []historyEntry {
	var out []historyEntry
	seen := map[string]bool{}
	for i := len(h.entries) - 1; i >= 0; i-- {
		e := h.entries[i]
		if !globMatch(pattern, e.code) || (unique && seen[e.code]) {
			continue
		}
		seen[e.code] = true
		out = append(out, e)
		if n > 0 && len(out) == n {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// historyRequest answers history_request for hist_access_type tail, range
// and search.
func (s *Server) historyRequest(r *request) error {
	var c struct {
		Output     bool   `json:"output"`
		Raw        bool   `json:"raw"`
		AccessType string `json:"hist_access_type"`
		Session    int    `json:"session"`
		Start      int    `json:"start"`
		Stop       *int   `json:"stop"`
		N          *int   `json:"n"`
		Pattern    string `json:"pattern"`
		Unique     bool   `json:"unique"`
	}
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	n := 0
	if c.N != nil {
		n = *c.N
	}
	var entries []historyEntry
	session := historySession
	switch c.AccessType {
	case "tail":
		if c.N == nil {
			n = 10
		}
		entries = s.history.tail(n)
	case "range":
		session = c.Session
		if c.Session == 0 || c.Session == historySession {
			stop := 0
			if c.Stop != nil {
				stop = *c.Stop
			}
			entries = s.history.lines(c.Start, stop)
		}
	case "search":
		entries = s.history.search(c.Pattern, n, c.Unique)
	default:
		s.log.Warn("unknown hist_access_type", "hist_access_type", c.AccessType)
	}
	list := make([]any, 0, len(entries))
	for _, e := range entries {
		var input any = e.code
		if c.Output {
			input = []any{e.code, e.output}
		}
		list = append(list, []any{session, e.line, input})
	}
	return s.reply(r, "history_reply", map[string]any{"status": "ok", "history": list})
}

// globMatch reports whether s matches pattern as SQLite's GLOB does (which
// IPython's history search uses): * any text, ? one character, [...] a
// character class with ranges, [^...] its complement; case-sensitive, and
// unlike path.Match, * crosses '/' and newlines.
func globMatch(pattern, s string) bool {
	// Backtracking over the last *: on a mismatch, let it absorb one more
	// character. Linear in practice, O(len(p)*len(s)) at worst.
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) {
		if px < len(pattern) {
			switch pattern[px] {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += w
				continue
			case '[':
				c, w := utf8.DecodeRuneInString(s[sx:])
				if end, ok := matchClass(pattern[px:], c); end > 0 {
					if ok {
						px += end
						sx += w
						continue
					}
				} else if c == '[' { // no closing ]: a literal [
					px++
					sx++
					continue
				}
			default:
				pc, pw := utf8.DecodeRuneInString(pattern[px:])
				c, w := utf8.DecodeRuneInString(s[sx:])
				if pc == c {
					px += pw
					sx += w
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		px, sx = starP+1, starS
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// matchClass matches c against the class at the start of p ("[...]"). It
// returns the length of the class in p (0 if p has no closing ']') and
// whether c is in it. A ']' right after '[' or '[^' is a member.
func matchClass(p string, c rune) (int, bool) {
	i := 1
	negate := i < len(p) && p[i] == '^'
	if negate {
		i++
	}
	in := false
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return i + 1, in != negate
		}
		first = false
		lo, w := utf8.DecodeRuneInString(p[i:])
		i += w
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi, w = utf8.DecodeRuneInString(p[i+1:])
			i += 1 + w
		}
		if lo <= c && c <= hi {
			in = true
		}
	}
	return 0, false
}
