package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// Bundle maps MIME types ("text/html", "image/png", ...) to data, as a
// display_data message carries it: text types map to strings, image/png
// and image/jpeg to base64 strings, application/json to any JSON value.
// A Bundle is itself displayable.
type Bundle map[string]any

// MIMEBundle returns b.
func (b Bundle) MIMEBundle() Bundle { return b }

// MIME types gomp produces.
const (
	MIMEText     = "text/plain"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMELaTeX    = "text/latex"
	MIMESVG      = "image/svg+xml"
	MIMEPNG      = "image/png"
	MIMEJPEG     = "image/jpeg"
	MIMEJSON     = "application/json"
)

// HTML is HTML source shown rendered: display.HTML("<b>bold</b>").
type HTML string

// MIMEBundle shows h as text/html, with the source as text/plain for
// text-only frontends.
func (h HTML) MIMEBundle() Bundle { return Bundle{MIMEHTML: string(h), MIMEText: string(h)} }

// Markdown is Markdown source shown rendered.
type Markdown string

// MIMEBundle shows m as text/markdown, with the source as text/plain.
func (m Markdown) MIMEBundle() Bundle { return Bundle{MIMEMarkdown: string(m), MIMEText: string(m)} }

// LaTeX is a LaTeX formula shown typeset, delimited as in Markdown:
// display.LaTeX(`$\sum_i x_i$`).
type LaTeX string

// MIMEBundle shows l as text/latex, with the source as text/plain.
func (l LaTeX) MIMEBundle() Bundle { return Bundle{MIMELaTeX: string(l), MIMEText: string(l)} }

// SVG is an SVG document shown as an image.
type SVG string

// MIMEBundle shows s as image/svg+xml.
func (s SVG) MIMEBundle() Bundle {
	return Bundle{MIMESVG: string(s), MIMEText: fmt.Sprintf("<SVG image, %d bytes>", len(s))}
}

// PNG is an encoded PNG image shown as an image.
type PNG []byte

// MIMEBundle shows p as image/png (base64, as the protocol carries it).
func (p PNG) MIMEBundle() Bundle {
	return Bundle{MIMEPNG: base64.StdEncoding.EncodeToString(p), MIMEText: imageText("PNG", p, png.DecodeConfig)}
}

// JPEG is an encoded JPEG image shown as an image.
type JPEG []byte

// MIMEBundle shows j as image/jpeg.
func (j JPEG) MIMEBundle() Bundle {
	return Bundle{MIMEJPEG: base64.StdEncoding.EncodeToString(j), MIMEText: imageText("JPEG", j, jpeg.DecodeConfig)}
}

// Text is plain text shown as it is (a string value shows quoted).
type Text string

// MIMEBundle shows t as text/plain.
func (t Text) MIMEBundle() Bundle { return Bundle{MIMEText: string(t)} }

// JSON shows v as application/json (frontends draw a foldable tree), with
// indented JSON as text/plain. A v that cannot be encoded shows the error.
func JSON(v any) Bundle {
	b, err := json.Marshal(v)
	if err != nil {
		return Bundle{MIMEText: fmt.Sprintf("display.JSON: %v", err)}
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return Bundle{MIMEText: fmt.Sprintf("display.JSON: %v", err)}
	}
	var ind bytes.Buffer
	_ = json.Indent(&ind, b, "", "  ")
	return Bundle{MIMEJSON: tree, MIMEText: ind.String()}
}

// Image encodes img as PNG.
func Image(img image.Image) PNG {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil
	}
	return PNG(b.Bytes())
}

// imageText describes an encoded image for text-only frontends.
func imageText(format string, b []byte, decode func(io.Reader) (image.Config, error)) string {
	c, err := decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Sprintf("<%s image, %d bytes, unreadable: %v>", format, len(b), err)
	}
	return fmt.Sprintf("<%s image %dx%d>", format, c.Width, c.Height)
}
