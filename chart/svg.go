package chart

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"strings"

	"github.com/gomp-kernel/gomp/display"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// fontStack replaces the Liberation family names gonum writes: browsers
// without the Liberation fonts fall back to the metric-compatible Arial or
// Helvetica, and text keeps the width gonum measured.
var fontStack = strings.NewReplacer(
	"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;",
)

// SVG returns the chart as an SVG document, or a picture of the error and
// the error when the chart cannot be drawn (see Err).
func (c *Chart) SVG() (display.SVG, error) {
	if err := c.Err(); err != nil {
		return errorSVG(c.width, err), err
	}
	s, err := c.render()
	if err != nil {
		err = fmt.Errorf("chart %q: %w", c.title, err)
		return errorSVG(c.width, err), err
	}
	return s, nil
}

// MIMEBundle shows c as image/svg+xml, with String's description as
// text/plain. A chart with an error shows the error in both.
func (c *Chart) MIMEBundle() display.Bundle {
	s, _ := c.SVG()
	return display.Bundle{display.MIMESVG: string(s), display.MIMEText: c.String()}
}

// render draws c, which has no error, with gonum. gonum reports some
// mistakes by panicking; render returns them as errors.
func (c *Chart) render() (svg display.SVG, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing failed: %v", r)
		}
	}()
	p, err := c.plot()
	if err != nil {
		return "", err
	}
	canvas := vgsvg.New(vg.Length(c.width)*pixel, vg.Length(c.height)*pixel)
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	p.Draw(draw.Crop(dc, margin, -margin, margin, -margin))
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return "", fmt.Errorf("write SVG: %w", err)
	}
	return display.SVG(fontStack.Replace(b.String())), nil
}

// margin is the blank space around a chart, so that points and labels
// at the edges are not cut.
const margin = 10 * pixel

// errorLine is the number of characters per line of an error picture.
const errorLine = 72

// errorSVG draws err's message, wrapped, in a frame as wide as the chart.
func errorSVG(width int, err error) display.SVG {
	lines := wrap("error: "+err.Error(), errorLine)
	height := 20 + 16*len(lines)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect x="0.5" y="0.5" width="%d" height="%d" fill="#fff5f5" stroke="#d62728"/>`+"\n", width-1, height-1)
	fmt.Fprintf(&b, `<text x="12" y="8" font-family="'Liberation Sans',Arial,Helvetica,sans-serif" font-size="13px" fill="#a01010">`+"\n")
	for i, line := range lines {
		dy := "16"
		if i == 0 {
			dy = "13"
		}
		fmt.Fprintf(&b, `<tspan x="12" dy="%s">%s</tspan>`+"\n", dy, html.EscapeString(line))
	}
	b.WriteString("</text>\n</svg>\n")
	return display.SVG(b.String())
}

// wrap splits s into lines of at most n characters, at spaces where it
// can.
func wrap(s string, n int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			for len([]rune(w)) > n {
				r := []rune(w)
				if line != "" {
					lines = append(lines, line)
					line = ""
				}
				lines = append(lines, string(r[:n]))
				w = string(r[n:])
			}
			switch {
			case line == "":
				line = w
			case len([]rune(line))+1+len([]rune(w)) <= n:
				line += " " + w
			default:
				lines = append(lines, line)
				line = w
			}
		}
		lines = append(lines, line)
	}
	return lines
}
