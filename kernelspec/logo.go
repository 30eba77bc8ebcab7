package kernelspec

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// logo draws gomp's logo at size×size pixels: a Go-blue disc holding two
// smaller white discs side by side, two processes. It is drawn rather than
// shipped so the repository holds no binary files and any size is sharp.
func logo(size int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	blue := color.NRGBA{0x00, 0xad, 0xd8, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	s := float64(size)
	disc := func(cx, cy, r float64, c color.NRGBA) {
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				if dx*dx+dy*dy <= r*r {
					img.SetNRGBA(x, y, c)
				}
			}
		}
	}
	disc(s/2, s/2, s/2, blue)
	disc(s*0.34, s/2, s*0.14, white)
	disc(s*0.66, s/2, s*0.14, white)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
