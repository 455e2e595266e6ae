package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdMkpng writes a PNG image of the given size, for file inputs.
//
//	mkpng FILE WIDTH HEIGHT
func cmdMkpng(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mkpng FILE WIDTH HEIGHT")
	}
	w, h := atoi(ts, args[1]), atoi(ts, args[2])
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 128, A: 255})
		}
	}
	var b bytes.Buffer
	ts.Check(png.Encode(&b, img))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}

// cmdPngcheck decodes FILE as a PNG image and checks its size.
//
//	pngcheck FILE WIDTH HEIGHT
func cmdPngcheck(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: pngcheck FILE WIDTH HEIGHT")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	img, err := png.Decode(f)
	ok := err == nil && img.Bounds().Dx() == atoi(ts, args[1]) && img.Bounds().Dy() == atoi(ts, args[2])
	if ok == neg {
		var got image.Rectangle
		if img != nil {
			got = img.Bounds()
		}
		ts.Fatalf("pngcheck %s: decode error %v, size %v; want a %sx%s PNG", args[0], err, got.Size(), args[1], args[2])
	}
}

func atoi(ts *testscript.TestScript, s string) int {
	n, err := strconv.Atoi(s)
	ts.Check(err)
	return n
}
