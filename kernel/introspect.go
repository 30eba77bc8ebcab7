package kernel

import "unicode/utf8"

// isComplete answers is_complete_request.
func (s *Server) isComplete(r *request) error {
	var c struct {
		Code string `json:"code"`
	}
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	status, indent := s.engine.IsComplete(c.Code)
	content := map[string]any{"status": status}
	if status == "incomplete" {
		content["indent"] = indent
	}
	return s.reply(r, "is_complete_reply", content)
}

// complete answers complete_request. Cursor positions are in code points,
// passed through unchanged.
func (s *Server) complete(r *request) error {
	var c struct {
		Code      string `json:"code"`
		CursorPos *int   `json:"cursor_pos"`
	}
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	cursor := runeCount(c.Code)
	if c.CursorPos != nil {
		cursor = *c.CursorPos
	}
	comp := s.engine.Complete(c.Code, cursor)
	matches := comp.Matches
	if matches == nil {
		matches = []string{}
	}
	return s.reply(r, "complete_reply", map[string]any{
		"status":       "ok",
		"matches":      matches,
		"cursor_start": comp.CursorStart,
		"cursor_end":   comp.CursorEnd,
		"metadata":     orEmptyMap(comp.Metadata),
	})
}

// inspect answers inspect_request.
func (s *Server) inspect(r *request) error {
	var c struct {
		Code        string `json:"code"`
		CursorPos   *int   `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	cursor := runeCount(c.Code)
	if c.CursorPos != nil {
		cursor = *c.CursorPos
	}
	bundle, found := s.engine.Inspect(c.Code, cursor, c.DetailLevel)
	return s.reply(r, "inspect_reply", map[string]any{
		"status":   "ok",
		"found":    found,
		"data":     orEmptyMap(bundle),
		"metadata": map[string]any{},
	})
}

// runeCount is the length of code in code points, the protocol's unit for
// cursor positions (the default cursor is the end of the code).
func runeCount(code string) int {
	return utf8.RuneCountInString(code)
}

// orEmptyMap returns m, or an empty map when m is nil, so that JSON shows
// {} rather than null.
func orEmptyMap[M ~map[string]any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}
