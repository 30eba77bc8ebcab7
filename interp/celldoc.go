package interp

import (
	"go/ast"
	"go/scanner"
	"go/token"
	"strings"
)

// docAbove returns the doc comment of the declaration at byte offset start
// of code: the comments on the lines directly above it, as go/parser
// attaches them (a comment ending a line of code is not part of it), in
// the text form of ast.CommentGroup.Text. "" when there is none.
func docAbove(code string, start int) string {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	var sc scanner.Scanner
	sc.Init(file, []byte(code), nil, scanner.ScanComments)
	var group []*ast.Comment
	groupEnd, codeLine := 0, 0 // last line of group, of the latest code token
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF || file.Offset(pos) >= start {
			break
		}
		line := file.Line(pos)
		switch {
		case tok == token.COMMENT:
			end := line + strings.Count(lit, "\n")
			switch {
			case line == codeLine:
				group = nil // a line comment of the code before
			case len(group) > 0 && line <= groupEnd+1:
				group = append(group, &ast.Comment{Text: lit})
			default:
				group = []*ast.Comment{{Text: lit}}
			}
			if line != codeLine {
				groupEnd = end
			}
		case tok == token.SEMICOLON && lit == "\n":
			// inserted at a line's end: not code
		default:
			group = nil
			codeLine = line + strings.Count(lit, "\n")
		}
	}
	if len(group) == 0 || groupEnd != file.Line(file.Pos(start))-1 {
		return ""
	}
	return (&ast.CommentGroup{List: group}).Text()
}

// refreshDoc sets the doc comment of the records declaring names, for a
// declaration run again unchanged but for its comment.
func (s *Session) refreshDoc(names []string, doc string) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	for _, n := range names {
		if r := s.recordOf(n); r != nil {
			r.Doc = doc
		}
	}
}
