package edf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strings"
	"time"
)

// chunkBytes bounds the read buffer: whole data records, about 1 MiB.
const chunkBytes = 1 << 20

// ReadFile reads the EDF file at path.
func ReadFile(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("edf: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("edf: %w", err)
	}
	rec, err := Read(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return rec, nil
}

// Read decodes a whole EDF or EDF+ file of size bytes. Every count in the
// header is checked against size before anything is allocated, and a file
// shorter than its header promises is an error, never a shorter Recording.
// A header "number of data records" of -1 (still recording) is taken as
// the number of whole records present.
func Read(r io.ReaderAt, size int64) (*Recording, error) {
	fixed := make([]byte, 256)
	if err := readAt(r, fixed, 0, size, "header"); err != nil {
		return nil, err
	}
	h, ns, err := parseFixed(fixed)
	if err != nil {
		return nil, err
	}
	if size < int64(h.headerBytes) {
		return nil, &FormatError{Where: "header", Err: ErrTruncated}
	}
	sb := make([]byte, h.headerBytes-256)
	if err := readAt(r, sb, 256, size, "header"); err != nil {
		return nil, err
	}
	plus := strings.HasPrefix(h.reserved, "EDF+")
	if h.signals, err = parseSignals(sb, ns, plus); err != nil {
		return nil, err
	}
	rec := &Recording{Patient: h.patient, RecordingID: h.recording, Start: h.start, Format: "EDF"}
	if plus {
		rec.Format = "EDF+C"
		if strings.HasPrefix(h.reserved, "EDF+D") {
			rec.Format = "EDF+D"
		}
	}
	if err := readRecords(r, size, &h, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func readAt(r io.ReaderAt, b []byte, off, size int64, where string) error {
	if off+int64(len(b)) > size {
		return &FormatError{Where: where, Err: ErrTruncated}
	}
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return &FormatError{Where: where, Err: ErrTruncated}
	}
	return fmt.Errorf("edf: read %s: %w", where, err)
}

// readRecords sizes the signals from the header, then decodes the data
// records a chunk at a time.
func readRecords(r io.ReaderAt, size int64, h *header, rec *Recording) error {
	recordBytes := int64(0)
	for _, s := range h.signals {
		recordBytes += 2 * int64(s.spr)
	}
	avail := size - int64(h.headerBytes)
	nrec := h.nrec
	switch {
	case recordBytes == 0 && nrec != 0:
		return fieldErr("number of data records", "%d records of 0 samples", nrec)
	case nrec < 0:
		nrec = avail / recordBytes
	case nrec > avail/max(recordBytes, 1):
		return &FormatError{Where: fmt.Sprintf("data record %d", avail/recordBytes), Err: ErrTruncated}
	}
	ns, _ := new(big.Rat).Mul(h.duration, big.NewRat(int64(time.Second), 1)).Float64()
	rec.RecordDuration = time.Duration(math.Round(ns))
	var annSigs []int
	for i, s := range h.signals {
		if s.annotations {
			annSigs = append(annSigs, i)
			continue
		}
		rec.Signals = append(rec.Signals, Signal{
			Label: s.label, Transducer: s.transducer, Unit: s.unit,
			PhysMin: s.physMin, PhysMax: s.physMax, DigMin: s.digMin, DigMax: s.digMax,
			Prefilter: s.prefilter, SampleRate: rate(s.spr, h.duration), SamplesPerRecord: s.spr,
			Samples: make([]int32, 0, int64(s.spr)*nrec),
		})
	}
	rec.RecordOnsets = make([]time.Duration, nrec)
	perChunk := max(1, chunkBytes/max(recordBytes, 1))
	buf := make([]byte, min(perChunk, nrec)*recordBytes)
	for first := int64(0); first < nrec; first += perChunk {
		n := min(perChunk, nrec-first)
		b := buf[:n*recordBytes]
		if err := readAt(r, b, int64(h.headerBytes)+first*recordBytes, size, fmt.Sprintf("data record %d", first)); err != nil {
			return err
		}
		for k := int64(0); k < n; k++ {
			if err := decodeRecord(b[k*recordBytes:(k+1)*recordBytes], first+k, h, annSigs, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func rate(spr int, duration *big.Rat) float64 {
	if duration.Sign() == 0 {
		return 0
	}
	f, _ := new(big.Rat).Quo(new(big.Rat).SetInt64(int64(spr)), duration).Float64()
	return f
}

func decodeRecord(b []byte, k int64, h *header, annSigs []int, rec *Recording) error {
	rec.RecordOnsets[k] = time.Duration(k) * rec.RecordDuration
	out := 0
	for i, s := range h.signals {
		n := 2 * s.spr
		data := b[:n]
		b = b[n:]
		if s.annotations {
			onset, anns, err := parseTALs(data, i == annSigs[0])
			if err != nil {
				return &FormatError{Where: fmt.Sprintf("data record %d, signal %d", k, i), Problem: err.Error(), Err: ErrFormat}
			}
			if i == annSigs[0] {
				rec.RecordOnsets[k] = onset
			}
			rec.Annotations = append(rec.Annotations, anns...)
			continue
		}
		samples := rec.Signals[out].Samples
		for j := 0; j < n; j += 2 {
			samples = append(samples, int32(int16(binary.LittleEndian.Uint16(data[j:]))))
		}
		rec.Signals[out].Samples = samples
		out++
	}
	return nil
}
