package interp

import (
	"encoding/base64"
	"fmt"
	"go/ast"
	"image"
	"reflect"

	"github.com/gomp-kernel/gomp/display"
	yaegi "github.com/traefik/yaegi/interp"
)

// A notebook value reaches display.Show with the methods of the type the
// notebook declared it with only when yaegi builds an interface wrapper
// for it (see displayMapTypes), and that goes wrong for a value held in
// an interface, such as a func's `v any` parameter: yaegi evaluates the
// value's original expression again in the wrong frame, which shows
// <nil>, another variable, or panics ("reflect: call of
// reflect.Value.Interface on zero Value"). So every display.Show(v),
// display.ShowAs(id, v) and display.Update(h, v) in notebook code gets
// its value through _gompRich, an interpreted func: inside the
// interpreter, type assertions see the notebook's own type (its static
// type, not the reflect type that types with the same fields share), and
// its methods' results travel to display as a Bundle.

// richPrelude declares _gompRich in every interpreter, after
// displayPrelude (whose import of display it uses: yaegi scopes imports
// by package); _gomprich is richPackage, the compiled half.
const richPrelude = `package main
import _gomprich "gomp/rich"
type _gompBundler interface{ MIMEBundle() _gompdisplay.Bundle }
type _gompHTMLer interface{ HTML() string }
type _gompMarkdowner interface{ Markdown() string }
type _gompSVGer interface{ SVG() string }
type _gompLaTeXer interface{ LaTeX() string }
type _gompPNGer interface{ PNG() []byte }
type _gompJPEGer interface{ JPEG() []byte }
type _gompStringer interface{ String() string }
func _gompRich(v any) any {
	if _gomprich.Compiled(v) {
		return v
	}
	var w _gomprich.Any = v
	b := _gompdisplay.Bundle{}
	if _, ok := v.(_gompBundler); ok {
		b = w.(_gompBundler).MIMEBundle()
	} else {
		if _, ok := v.(_gompHTMLer); ok {
			b[_gompdisplay.MIMEHTML] = w.(_gompHTMLer).HTML()
		}
		if _, ok := v.(_gompMarkdowner); ok {
			b[_gompdisplay.MIMEMarkdown] = w.(_gompMarkdowner).Markdown()
		}
		if _, ok := v.(_gompSVGer); ok {
			b[_gompdisplay.MIMESVG] = w.(_gompSVGer).SVG()
		}
		if _, ok := v.(_gompLaTeXer); ok {
			b[_gompdisplay.MIMELaTeX] = w.(_gompLaTeXer).LaTeX()
		}
		if _, ok := v.(_gompPNGer); ok {
			b[_gompdisplay.MIMEPNG] = w.(_gompPNGer).PNG()
		}
		if _, ok := v.(_gompJPEGer); ok {
			b[_gompdisplay.MIMEJPEG] = w.(_gompJPEGer).JPEG()
		}
	}
	var r any
	if _, ok := v.(_gompStringer); ok {
		r = _gomprich.Of(b, w.(_gompStringer).String(), true)
	} else {
		r = _gomprich.Of(b, "", false)
	}
	if r == nil {
		return v
	}
	return r
}`

// richPath is the import path of richPackage in the interpreter.
const richPath = "gomp/rich"

// richPackage is the compiled half of _gompRich.
var richPackage = yaegi.Exports{richPath + "/rich": {
	"Compiled": reflect.ValueOf(richCompiled),
	"Of":       reflect.ValueOf(richOf),
	"Any":      reflect.ValueOf((*any)(nil)),
}}

// richCompiled reports whether v is a compiled value that display
// represents by itself (display.HTML, a chart, an image, a Stringer): a
// notebook value arrives here without its methods. It calls none, so a
// chart is drawn once, by Show.
func richCompiled(v any) bool {
	if v == nil {
		return false
	}
	t := reflect.TypeOf(v)
	for _, i := range richInterfaces {
		if t.Implements(i) {
			return true
		}
	}
	return false
}

// richInterfaces are the interfaces that give a compiled value its
// representation in display.Represent and display.Of.
var richInterfaces = append([]reflect.Type{reflect.TypeFor[image.Image]()}, display.Interfaces...)

// richOf returns what display.Show should show for a notebook value
// whose methods gave b (PNG and JPEG as bytes) and, when it has a String
// method, str: b with a text/plain as display.Of gives one (its String,
// else its source text, else a description of its image); the text
// alone when b is empty; nil when it has neither, and the value shows as
// itself. It never sees the value: yaegi hands a notebook value held in
// an any to compiled code as its own internal box.
func richOf(b display.Bundle, str string, stringer bool) any {
	for _, k := range []string{display.MIMEPNG, display.MIMEJPEG} {
		if raw, ok := b[k].([]byte); ok {
			b[k] = base64.StdEncoding.EncodeToString(raw)
		}
	}
	if len(b) == 0 {
		if stringer {
			return display.Text(str)
		}
		return nil
	}
	if _, ok := b[display.MIMEText]; ok {
		return b
	}
	switch {
	case stringer:
		b[display.MIMEText] = str
	default:
		b[display.MIMEText] = "<rich output>"
		for _, k := range []string{display.MIMEMarkdown, display.MIMELaTeX, display.MIMEHTML} {
			if s, ok := b[k].(string); ok {
				b[display.MIMEText] = s
				return b
			}
		}
		for _, k := range []string{display.MIMESVG, display.MIMEPNG, display.MIMEJPEG} {
			if _, ok := b[k]; ok {
				b[display.MIMEText] = "<" + k + " image>"
				return b
			}
		}
	}
	return b
}

func installRichPrelude(yi *yaegi.Interpreter) error {
	if err := yi.Use(richPackage); err != nil {
		return fmt.Errorf("install rich display: %w", err)
	}
	if err := runPrelude(yi, richPrelude); err != nil {
		return fmt.Errorf("install rich display: %w", err)
	}
	return nil
}

// richArgs makes every display.Show(v), display.ShowAs(id, v) and
// display.Update(h, v) in n pass v through _gompRich (see above); n is
// notebook code about to be compiled.
func (s *Session) richArgs(n ast.Node) {
	pkgs := s.displayNames()
	for name := range localNames(n) {
		if name != reserved("display") {
			delete(pkgs, name)
		}
	}
	ast.Inspect(n, func(x ast.Node) bool {
		c, ok := x.(*ast.CallExpr)
		if !ok || c.Ellipsis.IsValid() {
			return true
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); !ok || !pkgs[id.Name] {
			return true
		}
		var i int
		switch sel.Sel.Name {
		case "Show":
			i = 0
		case "ShowAs", "Update":
			i = 1
		default:
			return true
		}
		if len(c.Args) != i+1 || isRichCall(c.Args[i]) {
			return true
		}
		pos := c.Args[i].Pos()
		c.Args[i] = &ast.CallExpr{Fun: &ast.Ident{Name: reserved("Rich"), NamePos: pos}, Lparen: pos, Args: []ast.Expr{c.Args[i]}, Rparen: pos}
		return true
	})
}

// isRichCall reports whether x is already _gompRich(...), so that code
// instrumented twice (a declaration evaluated again) is wrapped once.
func isRichCall(x ast.Expr) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := c.Fun.(*ast.Ident)
	return ok && id.Name == reserved("Rich")
}

// displayNames returns the names under which the notebook imported the
// display package.
func (s *Session) displayNames() map[string]bool {
	names := map[string]bool{reserved("display"): true}
	for _, p := range []string{"display", "github.com/gomp-kernel/gomp/display"} {
		if n := s.importName(p); n != "" {
			names[n] = true
		}
	}
	return names
}
