// Package display shows rich output in a notebook cell: HTML, Markdown,
// LaTeX, PNG, JPEG and SVG images, JSON, or any MIME bundle, the way
// IPython.display does for Python. Cells write import "display".
//
//	display.Show(display.HTML("<b>done</b>"))
//	h := display.Show(display.Markdown("step 1 of 3"))
//	h.Update(display.Markdown("step 2 of 3")) // redraws the same output
//
// A cell's trailing expression shows the same way: a cell ending in
// display.SVG(svg), an image.Image or a value with a MIMEBundle, HTML,
// Markdown, SVG, LaTeX, PNG or JPEG method is shown as that representation
// (see Represent).
//
// Where the output goes is the host's business: the kernel publishes
// display_data, update_display_data and clear_output messages to the cell
// running now; an mp child sends its displays to the cell that started it;
// `gomp run` stores them in the notebook. Without a host (a plain Go
// program) the text/plain representation is printed to standard output.
package display
