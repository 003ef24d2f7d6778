package wfdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FileCreator creates the files of a record being written.
type FileCreator interface {
	Create(name string) (io.WriteCloser, error)
}

// Dir is a directory on disk as a FileCreator.
type Dir string

var _ FileCreator = Dir("")

// Create creates (or truncates) the file name in the directory.
func (d Dir) Create(name string) (io.WriteCloser, error) {
	return os.Create(filepath.Join(string(d), name))
}

// WriteRecord writes name.dat and then name.hea into dst, so that Read
// gives back samples (one slice per signal, all the same length) and a
// header like h. From h it takes the frequency, comments and each
// signal's gain, baseline, units, ADC zero and description; it sets the
// file name, the sample count, each signal's initial value and checksum,
// and the format: h.Signals[0].Format if it is 212 or 16 (and the same
// for all signals), or with 0 format 212 when every sample fits in 12
// bits and format 16 otherwise. A sample that does not fit the format is
// an error naming the signal and sample. An ADCRes of 0 becomes the
// format's 12 or 16. On error the files may be left half written.
func WriteRecord(dst FileCreator, name string, h Header, samples [][]int32) error {
	h, dat, err := EncodeRecord(name, h, samples)
	if err != nil {
		return err
	}
	if err := create(dst, name+".dat", func(w io.Writer) error { _, err := w.Write(dat); return err }); err != nil {
		return fmt.Errorf("write record %s: %w", name, err)
	}
	if err := create(dst, name+".hea", func(w io.Writer) error { return WriteHeader(w, h) }); err != nil {
		return fmt.Errorf("write record %s: %w", name, err)
	}
	return nil
}

func create(dst FileCreator, name string, write func(io.Writer) error) error {
	f, err := dst.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// EncodeRecord is WriteRecord without the files: the header to write and
// the bytes of name.dat.
func EncodeRecord(name string, h Header, samples [][]int32) (Header, []byte, error) {
	if err := checkToken("record name", name); err != nil {
		return h, nil, err
	}
	if len(samples) != len(h.Signals) {
		return h, nil, fmt.Errorf("%w: encode record %s: %d sample slices for %d signals", ErrData, name, len(samples), len(h.Signals))
	}
	h.Name = name
	h.Signals = append([]SignalSpec(nil), h.Signals...)
	h.Comments = append([]string(nil), h.Comments...)
	if len(samples) == 0 {
		h.NSamples = 0
		return h, nil, nil
	}
	n := len(samples[0])
	for i, s := range samples {
		if len(s) != n {
			return h, nil, fmt.Errorf("%w: encode record %s: signal %d has %d samples, signal 0 has %d", ErrData, name, i, len(s), n)
		}
	}
	format, err := chooseFormat(h.Signals, samples)
	if err != nil {
		return h, nil, fmt.Errorf("encode record %s: %w", name, err)
	}
	h.NSamples = n
	for i := range h.Signals {
		s := &h.Signals[i]
		s.File, s.Format = name+".dat", format
		if s.ADCRes == 0 {
			s.ADCRes = map[int]int{212: 12, 16: 16}[format]
		}
		s.InitValue, s.Checksum = 0, 0
		if n > 0 {
			s.InitValue = samples[i][0]
		}
		for _, v := range samples[i] {
			s.Checksum += int16(v)
		}
	}
	if format == 16 {
		return h, Encode16(samples), nil
	}
	return h, Encode212(samples), nil
}

// chooseFormat picks the signal file format and checks every sample fits.
func chooseFormat(sigs []SignalSpec, samples [][]int32) (int, error) {
	format := sigs[0].Format
	for i, s := range sigs {
		if s.Format != format {
			return 0, fmt.Errorf("%w: signal %d has format %d, signal 0 has %d; one signal file holds one format", ErrData, i, s.Format, format)
		}
	}
	fits := func(lo, hi int32) (int, int, bool) {
		for i, sig := range samples {
			for j, v := range sig {
				if v < lo || v > hi {
					return i, j, false
				}
			}
		}
		return 0, 0, true
	}
	switch format {
	case 0:
		if _, _, ok := fits(-2048, 2047); ok {
			return 212, nil
		}
		format = 16
		fallthrough
	case 16, 212:
		lo, hi := int32(-32768), int32(32767)
		if format == 212 {
			lo, hi = -2048, 2047
		}
		if i, j, ok := fits(lo, hi); !ok {
			return 0, fmt.Errorf("%w: signal %d sample %d: %d outside format %d's range %d..%d", ErrData, i, j, samples[i][j], format, lo, hi)
		}
		return format, nil
	default:
		return 0, fmt.Errorf("%w: writing format %d is not supported (212 or 16)", ErrData, format)
	}
}

// Encode16 packs interleaved samples in format 16 (little-endian int16);
// values are clamped to 16 bits.
func Encode16(sig [][]int32) []byte {
	if len(sig) == 0 {
		return nil
	}
	out := make([]byte, 0, 2*len(sig)*len(sig[0]))
	for j := range sig[0] {
		for s := range sig {
			out = binary.LittleEndian.AppendUint16(out, uint16(int16(clamp(sig[s][j], -32768, 32767))))
		}
	}
	return out
}
