package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// format is the decoded fmt chunk.
type format struct {
	tag        uint16 // tagPCM or tagFloat once the extensible layout is resolved
	channels   int
	rate       int
	blockAlign int
	bits       int
}

// Read decodes a WAVE file: the RIFF header, a fmt chunk, then the first
// data chunk. Chunks it does not need (LIST, fact, cue, bext…) are
// skipped, an odd-sized chunk's pad byte included. A data chunk shorter
// than its header says is ErrTruncated; memory grows only with the bytes
// actually read, never with a size a header claims.
func Read(r io.Reader) (*Audio, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("read RIFF header: %w", truncated(err))
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: RIFF header %q…%q, want RIFF…WAVE", ErrFormat, hdr[0:4], hdr[8:12])
	}
	var f *format
	for n := 0; ; n++ {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: no data chunk", ErrFormat)
			}
			return nil, fmt.Errorf("read chunk %d header: %w", n, truncated(err))
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if f != nil {
				return nil, fmt.Errorf("%w: second fmt chunk", ErrFormat)
			}
			body, err := readChunk(r, id, size, 1<<16)
			if err != nil {
				return nil, err
			}
			if f, err = parseFormat(body); err != nil {
				return nil, fmt.Errorf("fmt chunk: %w", err)
			}
		case "data":
			if f == nil {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrFormat)
			}
			body, err := readChunk(r, id, size, -1)
			if err != nil {
				return nil, err
			}
			return decode(f, body)
		default:
			if err := skipChunk(r, id, size); err != nil {
				return nil, err
			}
		}
	}
}

// readChunk reads a chunk body and its pad byte. limit < 0 means no limit
// beyond the input itself.
func readChunk(r io.Reader, id string, size, limit int64) ([]byte, error) {
	if limit >= 0 && size > limit {
		return nil, fmt.Errorf("%w: %q chunk of %d bytes", ErrFormat, id, size)
	}
	var buf bytes.Buffer
	got, err := io.CopyN(&buf, r, size)
	if err != nil {
		return nil, fmt.Errorf("read %q chunk (%d of %d bytes): %w", id, got, size, truncated(err))
	}
	if size%2 == 1 && id != "data" {
		// The pad byte of a trailing odd data chunk is often missing;
		// elsewhere it must be there for the next chunk to line up.
		if _, err := io.CopyN(io.Discard, r, 1); err != nil {
			return nil, fmt.Errorf("read %q chunk pad byte: %w", id, truncated(err))
		}
	}
	return buf.Bytes(), nil
}

func skipChunk(r io.Reader, id string, size int64) error {
	size += size % 2
	if got, err := io.CopyN(io.Discard, r, size); err != nil {
		return fmt.Errorf("skip %q chunk (%d of %d bytes): %w", id, got, size, truncated(err))
	}
	return nil
}

// truncated turns an early end of input into ErrTruncated.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrTruncated
	}
	return err
}

func parseFormat(b []byte) (*format, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: %d bytes, want at least 16", ErrFormat, len(b))
	}
	le := binary.LittleEndian
	f := &format{
		tag:        le.Uint16(b[0:2]),
		channels:   int(le.Uint16(b[2:4])),
		rate:       int(le.Uint32(b[4:8])),
		blockAlign: int(le.Uint16(b[12:14])),
		bits:       int(le.Uint16(b[14:16])),
	}
	if f.tag == tagExtensible {
		// cbSize(2) validBits(2) channelMask(4) subFormat GUID(16), whose
		// first two bytes are the plain format tag.
		if len(b) < 40 || le.Uint16(b[16:18]) < 22 {
			return nil, fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE with a %d-byte fmt chunk", ErrFormat, len(b))
		}
		f.tag = le.Uint16(b[24:26])
	}
	if f.tag != tagPCM && f.tag != tagFloat {
		return nil, fmt.Errorf("%w: format tag 0x%04x (only PCM and IEEE float)", ErrFormat, f.tag)
	}
	if err := check(f.rate, f.channels, f.bits, f.tag == tagFloat); err != nil {
		return nil, err
	}
	if want := f.channels * f.bits / 8; f.blockAlign != want {
		return nil, fmt.Errorf("%w: block align %d, want %d for %d × %d bits", ErrFormat, f.blockAlign, want, f.channels, f.bits)
	}
	return f, nil
}

// decode de-interleaves the data chunk. A trailing partial frame is
// ErrTruncated.
func decode(f *format, b []byte) (*Audio, error) {
	if len(b)%f.blockAlign != 0 {
		return nil, fmt.Errorf("data chunk: %d bytes is not a whole number of %d-byte frames: %w", len(b), f.blockAlign, ErrTruncated)
	}
	frames := len(b) / f.blockAlign
	a := &Audio{Rate: f.rate, Channels: f.channels, Bits: f.bits, Float: f.tag == tagFloat,
		Samples: make([][]float32, f.channels)}
	for c := range a.Samples {
		a.Samples[c] = make([]float32, frames)
	}
	width := f.bits / 8
	sample := sampleDecoder(f.bits, a.Float)
	for i := range frames {
		for c := range f.channels {
			off := (i*f.channels + c) * width
			a.Samples[c][i] = sample(b[off : off+width])
		}
	}
	return a, nil
}

// sampleDecoder returns the function that turns one little-endian sample
// into a float32 in [-1, 1).
func sampleDecoder(bits int, float bool) func([]byte) float32 {
	le := binary.LittleEndian
	switch {
	case float && bits == 32:
		return func(p []byte) float32 { return math.Float32frombits(le.Uint32(p)) }
	case float:
		return func(p []byte) float32 { return float32(math.Float64frombits(le.Uint64(p))) }
	case bits == 8: // unsigned, offset 128
		return func(p []byte) float32 { return float32(int(p[0])-128) / (1 << 7) }
	case bits == 16:
		return func(p []byte) float32 { return float32(int16(le.Uint16(p))) / (1 << 15) }
	case bits == 24:
		return func(p []byte) float32 {
			v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
			return float32(v) / (1 << 23)
		}
	default:
		return func(p []byte) float32 { return float32(float64(int32(le.Uint32(p))) / (1 << 31)) }
	}
}
