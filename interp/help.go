package interp

import (
	"regexp"
	"strings"
)

// helpName matches a help request: "?name", "name?" or "??name", where
// name is an identifier or a selector such as mp.NewPool.
var helpName = regexp.MustCompile(`^\?{0,2}([\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*)\?{0,2}$`)

// HelpRequest reports whether a cell asks for help IPython's way rather
// than being Go (which never starts or ends with '?'), and for what name.
// The kernel shows Inspect's answer in the pager; gomp run, like
// nbconvert, stores nothing for such a cell.
func HelpRequest(code string) (name string, ok bool) {
	code = strings.TrimSpace(code)
	if !strings.HasPrefix(code, "?") && !strings.HasSuffix(code, "?") {
		return "", false
	}
	m := helpName.FindStringSubmatch(code)
	if m == nil {
		return "", false
	}
	return m[1], true
}
