package main

import (
	"image"
	"image/color"
	"testing"
)

// TestTrim: a white image with content down to row 39 of 100 is cut to 40
// rows plus the margin; content on the last row says the window was short.
func TestTrim(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 10, 100))
	for y := range 100 {
		for x := range 10 {
			img.Set(x, y, color.White)
		}
	}
	img.Set(3, 39, color.Black)
	out, full := trim(img, 5, 20)
	if got := out.Bounds().Dy(); got != 45 || full {
		t.Errorf("height %d, full %v; want 45, false", got, full)
	}
	if out.At(3, 39) != (color.RGBA{0, 0, 0, 255}) {
		t.Error("content lost")
	}
	img.Set(5, 99, color.Black)
	img.Set(0, 99, color.White)
	if out, full := trim(img, 5, 20); !full || out.Bounds().Dy() != 100 {
		t.Errorf("content on the last row: height %d, full %v; want 100, true", out.Bounds().Dy(), full)
	}
	// Content a few rows above the bottom, the last rows blank (a window
	// that cut the page between two table rows): still too short.
	img.Set(5, 99, color.White)
	img.Set(5, 90, color.Black)
	if _, full := trim(img, 5, 20); !full {
		t.Error("content 9 rows above the bottom with 20 blank rows asked for: not full")
	}
	// 60 blank rows below the content at row 39: the page ended.
	img.Set(5, 90, color.White)
	if _, full := trim(img, 5, 60); full {
		t.Error("60 blank rows below the content: full")
	}
}
