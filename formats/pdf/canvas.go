package pdf

import (
	"bytes"
	"math"
	"strconv"
)

// mmToPt is the one scale of the report: the content stream starts by
// scaling user space to millimetres, so every coordinate written after it
// is in mm and true scale cannot drift between grid, pulse and traces.
const mmToPt = 72 / 25.4

// canvas builds a page content stream. Coordinates are millimetres from
// the page's lower-left corner (PDF's y grows upwards).
type canvas struct {
	b bytes.Buffer
}

// num appends v with at most three decimals and no trailing zeros; PDF
// wants plain decimals, never exponents.
func (c *canvas) num(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	v = math.Round(v*1000) / 1000
	if v == 0 {
		v = 0 // no "-0"
	}
	buf := strconv.AppendFloat(c.b.AvailableBuffer(), v, 'f', -1, 64)
	c.b.Write(buf)
}

func (c *canvas) op(op string, args ...float64) {
	for _, a := range args {
		c.num(a)
		c.b.WriteByte(' ')
	}
	c.b.WriteString(op)
	c.b.WriteByte('\n')
}

func (c *canvas) save()                       { c.b.WriteString("q\n") }
func (c *canvas) restore()                    { c.b.WriteString("Q\n") }
func (c *canvas) moveTo(x, y float64)         { c.op("m", x, y) }
func (c *canvas) lineTo(x, y float64)         { c.op("l", x, y) }
func (c *canvas) stroke()                     { c.b.WriteString("S\n") }
func (c *canvas) lineWidth(w float64)         { c.op("w", w) }
func (c *canvas) strokeRGB(r, g, b float64)   { c.op("RG", r, g, b) }
func (c *canvas) fillRGB(r, g, b float64)     { c.op("rg", r, g, b) }
func (c *canvas) line(x0, y0, x1, y1 float64) { c.moveTo(x0, y0); c.lineTo(x1, y1) }

// clipRect limits later drawing (until restore) to a rectangle.
func (c *canvas) clipRect(x, y, w, h float64) {
	c.op("re", x, y, w, h)
	c.b.WriteString("W n\n")
}

// text writes s (UTF-8, shown in WinAnsi) at (x, y) in font F1 (Helvetica)
// or F2 (Helvetica-Bold), size in mm.
func (c *canvas) text(font string, size, x, y float64, s string) {
	c.b.WriteString("BT /")
	c.b.WriteString(font)
	c.b.WriteByte(' ')
	c.num(size)
	c.b.WriteString(" Tf ")
	c.num(x)
	c.b.WriteByte(' ')
	c.num(y)
	c.b.WriteString(" Td ")
	c.b.Write(literal(winAnsi(s)))
	c.b.WriteString(" Tj ET\n")
}
