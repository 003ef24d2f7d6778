package devices

import (
	"errors"
	"fmt"
	"io"
)

// Refill serves a decoder that keeps the bytes it has not used yet as buf,
// a window of store: it moves them to the front of store and reads once
// into the rest. It returns the new window and sets *eof when the read
// reported io.EOF (with bytes or without). A read that brought nothing
// returns noData when the reader gave no error (a serial read timeout),
// and any error but io.EOF wrapped as "read <what>: ...".
func Refill(r io.Reader, store, buf []byte, eof *bool, noData error, what string) ([]byte, error) {
	kept := copy(store, buf)
	n, err := r.Read(store[kept:])
	buf = store[:kept+n]
	switch {
	case errors.Is(err, io.EOF):
		*eof = true
		return buf, nil
	case n > 0:
		return buf, nil
	case err == nil:
		return buf, noData
	}
	return buf, fmt.Errorf("read %s: %w", what, err)
}

// SyncFrame finds the first frame in buf, a stream of frames of size bytes
// that start with the byte sync: it skips to the next sync byte, and past
// it when the size bytes from there are no frame that valid accepts. It
// returns that frame (nil when buf holds no whole candidate), the bytes
// after it (a partial candidate to complete with more bytes, when frame is
// nil) and how many bytes it skipped.
func SyncFrame(buf []byte, sync byte, size int, valid func([]byte) bool) (frame, rest []byte, skipped int) {
	for {
		i := 0
		for i < len(buf) && buf[i] != sync {
			i++
		}
		skipped += i
		buf = buf[i:]
		if len(buf) < size {
			return nil, buf, skipped
		}
		if valid(buf[:size]) {
			return buf[:size], buf[size:], skipped
		}
		skipped++ // a sync byte that was data, or a broken frame
		buf = buf[1:]
	}
}
