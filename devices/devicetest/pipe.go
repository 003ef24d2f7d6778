// Package devicetest holds what every driver's tests share: an in-memory
// duplex link and the conformance suite each protocol's driver and
// simulator pass together.
package devicetest

import "io"

// End is one end of an in-memory full-duplex link. Writes block until the
// other end reads, like a pty with a full buffer; it has no deadlines, so
// nothing is ever dropped on it.
type End struct {
	r *io.PipeReader
	w *io.PipeWriter
}

// Pipe returns the two ends of a link.
func Pipe() (a, b *End) {
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	return &End{r: ar, w: aw}, &End{r: br, w: bw}
}

// Read reads what the other end wrote.
func (e *End) Read(p []byte) (int, error) { return e.r.Read(p) }

// Write sends p to the other end.
func (e *End) Write(p []byte) (int, error) { return e.w.Write(p) }

// Close ends both directions, so blocked reads and writes on either end
// return, as when a serial cable is pulled.
func (e *End) Close() error {
	e.r.Close()
	return e.w.Close()
}
