// Command pngtrim crops the blank bottom off a screenshot: make report-check
// shoots each report in a window taller than any page, and pngtrim keeps the
// page, whatever its height. It exits 3 when the page's content reaches the
// bottom of the image (the window was too short: shoot again taller).
//
//	go run ./internal/pngtrim FILE.png
package main

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pngtrim FILE.png")
		os.Exit(2)
	}
	code, err := trimFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pngtrim:", err)
	}
	os.Exit(code)
}

// trimFile crops the file in place; the exit code is 0, 1 on an error, or 3
// when the content fills the image to its last row.
func trimFile(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 1, err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return 1, fmt.Errorf("%s: %w", path, err)
	}
	out, full := trim(img, 16, minBlank)
	w, err := os.Create(path)
	if err != nil {
		return 1, err
	}
	if err := png.Encode(w, out); err != nil {
		w.Close()
		return 1, err
	}
	if err := w.Close(); err != nil {
		return 1, err
	}
	if full {
		return 3, fmt.Errorf("%s: the page reaches the bottom of the %d-pixel window", path, img.Bounds().Dy())
	}
	return 0, nil
}

// minBlank is how many rows of background must follow the content for the
// page to have ended inside the window. A window that cuts a page may well
// cut it in a gap between two table rows or sections, a few rows of
// background above its last row (seen: the compare report of nii-pilot cut
// at exactly 8000 pixels in its metric table); no gap inside a report is
// this tall.
const minBlank = 240

// trim returns img cut below its last row that is not all the colour of the
// bottom-left pixel (the page background), keeping margin rows; full says the
// content comes within blank rows of the last row (the page may go on below
// the window).
func trim(img image.Image, margin, blank int) (image.Image, bool) {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Max.Y-1)
	br, bgG, bb, ba := bg.RGBA()
	last := b.Min.Y - 1
	for y := b.Max.Y - 1; y >= b.Min.Y && last < b.Min.Y; y-- {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if r != br || g != bgG || bl != bb || a != ba {
				last = y
				break
			}
		}
	}
	full := last >= b.Max.Y-blank
	bottom := min(b.Max.Y, last+1+margin)
	if bottom <= b.Min.Y {
		bottom = b.Min.Y + 1
	}
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), bottom-b.Min.Y))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out, full
}
