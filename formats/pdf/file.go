package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// file assembles a PDF in memory so that every object's byte offset is
// known when the cross-reference table is written. A report is well under
// a few MiB, so nothing is gained by streaming.
type file struct {
	b       bytes.Buffer
	offsets []int // offsets[n-1] is where object n starts
}

func newFile() *file {
	f := &file{}
	// The second line's high bytes tell transfer tools the file is binary.
	f.b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	return f
}

// reserve allocates the next object number, to be written later; objects
// may refer to each other before either is written.
func (f *file) reserve() int {
	f.offsets = append(f.offsets, -1)
	return len(f.offsets)
}

// object writes object n with a dictionary or other direct body.
func (f *file) object(n int, body string) {
	f.offsets[n-1] = f.b.Len()
	fmt.Fprintf(&f.b, "%d 0 obj\n%s\nendobj\n", n, body)
}

// stream writes object n as a zlib-compressed stream with extra
// dictionary entries dict (may be empty).
func (f *file) stream(n int, dict string, data []byte) error {
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return fmt.Errorf("compress stream %d: %w", n, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress stream %d: %w", n, err)
	}
	f.offsets[n-1] = f.b.Len()
	fmt.Fprintf(&f.b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode%s >>\nstream\n", n, z.Len(), dict)
	f.b.Write(z.Bytes())
	f.b.WriteString("\nendstream\nendobj\n")
	return nil
}

// finish writes the cross-reference table and trailer and copies the file
// to w. Every reserved object must have been written.
func (f *file) finish(w io.Writer, root, info int) error {
	for i, off := range f.offsets {
		if off < 0 {
			return fmt.Errorf("object %d reserved but never written", i+1)
		}
	}
	xref := f.b.Len()
	fmt.Fprintf(&f.b, "xref\n0 %d\n0000000000 65535 f \n", len(f.offsets)+1)
	for _, off := range f.offsets {
		fmt.Fprintf(&f.b, "%010d 00000 n \n", off) // 20 bytes each, as the table needs
	}
	fmt.Fprintf(&f.b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(f.offsets)+1, root, info, xref)
	_, err := w.Write(f.b.Bytes())
	return err
}
