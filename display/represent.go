package display

import (
	"encoding/base64"
	"fmt"
	"image"
	"reflect"
)

// MIMEBundler is a value that says how to show itself in one or more
// formats. Notebook types may implement it, or one of the single-format
// interfaces below (compare IPython's _repr_mimebundle_ and _repr_html_).
type MIMEBundler interface {
	MIMEBundle() Bundle
}

// HTMLer is a value shown as HTML.
type HTMLer interface{ HTML() string }

// Markdowner is a value shown as Markdown.
type Markdowner interface{ Markdown() string }

// SVGer is a value shown as an SVG image.
type SVGer interface{ SVG() string }

// LaTeXer is a value shown as a LaTeX formula.
type LaTeXer interface{ LaTeX() string }

// PNGer is a value shown as a PNG image (the encoded bytes).
type PNGer interface{ PNG() []byte }

// JPEGer is a value shown as a JPEG image (the encoded bytes).
type JPEGer interface{ JPEG() []byte }

// Interfaces lists the interfaces Represent looks for, in its order, and
// fmt.Stringer for the text. A host that interprets Go uses it to tell its
// interpreter which methods a notebook type's value must keep when it is
// passed to this package as an any.
var Interfaces = []reflect.Type{
	reflect.TypeFor[MIMEBundler](),
	reflect.TypeFor[HTMLer](),
	reflect.TypeFor[Markdowner](),
	reflect.TypeFor[SVGer](),
	reflect.TypeFor[LaTeXer](),
	reflect.TypeFor[PNGer](),
	reflect.TypeFor[JPEGer](),
	reflect.TypeFor[fmt.Stringer](),
}

// Represent returns v's rich representation and true, or false when v has
// none (it then shows as text). It looks, in order, for a MIMEBundle
// method, an image.Image, and the single-format methods; a value with
// several single-format methods gets all of them in one bundle. Such a
// bundle has no text/plain; Of adds one.
func Represent(v any) (Bundle, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case MIMEBundler:
		return x.MIMEBundle(), true
	case image.Image:
		return Image(x).MIMEBundle(), true
	}
	b := Bundle{}
	if x, ok := v.(HTMLer); ok {
		b[MIMEHTML] = x.HTML()
	}
	if x, ok := v.(Markdowner); ok {
		b[MIMEMarkdown] = x.Markdown()
	}
	if x, ok := v.(SVGer); ok {
		b[MIMESVG] = x.SVG()
	}
	if x, ok := v.(LaTeXer); ok {
		b[MIMELaTeX] = x.LaTeX()
	}
	if x, ok := v.(PNGer); ok {
		b[MIMEPNG] = base64.StdEncoding.EncodeToString(x.PNG())
	}
	if x, ok := v.(JPEGer); ok {
		b[MIMEJPEG] = base64.StdEncoding.EncodeToString(x.JPEG())
	}
	if len(b) == 0 {
		return nil, false
	}
	return b, true
}

// Of returns the bundle Show publishes for v: its rich representation, or
// else text/plain as fmt's %v prints it (a string as it is).
func Of(v any) Bundle {
	b, ok := Represent(v)
	if !ok {
		return Bundle{MIMEText: text(v)}
	}
	if _, ok := b[MIMEText]; !ok {
		b[MIMEText] = textOf(v, b)
	}
	return b
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprintf("%v", v)
}

// interpreted reports whether v is an interpreter's interface wrapper:
// yaegi hands a notebook type's value to compiled code that wants one of
// Interfaces as a struct whose first field is IValue. That field does not
// reliably hold the value (yaegi v0.16.1 puts a field of it there), so
// the wrapper's text is not the value's.
func interpreted(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Struct && rv.NumField() > 0 && rv.Type().Field(0).Name == "IValue"
}

// textOf is the text/plain for a value that has a rich representation b
// of its own but no text: its String method or %v, or for a notebook
// value seen through the interpreter, its source text (Markdown, LaTeX,
// HTML) or a description of its image.
func textOf(v any, b Bundle) string {
	if !interpreted(v) {
		return text(v)
	}
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	for _, t := range []string{MIMEMarkdown, MIMELaTeX, MIMEHTML} {
		if s, ok := b[t].(string); ok {
			return s
		}
	}
	for _, t := range []string{MIMESVG, MIMEPNG, MIMEJPEG} {
		if _, ok := b[t]; ok {
			return "<" + t + " image>"
		}
	}
	return "<rich output>"
}
