package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"telewave/devices"
	"telewave/storage/wavecodec"
)

// WaveChunk is a run of samples of one signal in a wave or audio payload.
type WaveChunk struct {
	Handle  uint32    // SignalDef.Handle
	Seq     uint64    // per-signal chunk number: a jump means chunks were dropped
	Time    time.Time // first sample, host clock; travels at ms precision
	Flags   devices.ChunkFlags
	Samples []int32
}

// Bounds ReadWaves enforces beyond the frame size.
const (
	maxChunks  = 1024    // chunks in one payload
	maxSamples = 1 << 16 // samples in one payload, all chunks together
)

// AppendWaves appends a wave or audio payload to dst: sent (u64 BE, unix ms)
// then each chunk as handle, seq (uvarints), first-sample time as a signed
// varint of ms relative to sent, flags (u8), the first sample (signed
// varint, 0 for no samples), byte length (uvarint) and the samples minus
// the first (modulo 2^32) as wavecodec version 1.
//
// The first sample travels outside the codec because wavecodec predicts a
// chunk's first sample as 0: a signal far from 0 (a 12-bit ECG around
// 2048, a pressure) would pay an escaped residual of about 7 bytes in
// every 40 ms chunk. Each chunk still decodes on its own, so a dropped
// frame never spoils the next.
func AppendWaves(dst []byte, sent time.Time, chunks []WaveChunk) []byte {
	ms := sent.UnixMilli()
	dst = binary.BigEndian.AppendUint64(dst, uint64(ms))
	var scratch [256]int32
	for _, c := range chunks {
		dst = binary.AppendUvarint(dst, uint64(c.Handle))
		dst = binary.AppendUvarint(dst, c.Seq)
		dst = binary.AppendVarint(dst, c.Time.UnixMilli()-ms)
		dst = append(dst, byte(c.Flags))
		var first int32
		if len(c.Samples) > 0 {
			first = c.Samples[0]
		}
		dst = binary.AppendVarint(dst, int64(first))
		rel := scratch[:0]
		if len(c.Samples) > len(scratch) {
			rel = make([]int32, 0, len(c.Samples))
		}
		for _, x := range c.Samples {
			rel = append(rel, int32(uint32(x)-uint32(first)))
		}
		start := len(dst)
		dst = wavecodec.Encode(dst, rel)
		var lb [binary.MaxVarintLen64]byte
		dst = slices.Insert(dst, start, lb[:binary.PutUvarint(lb[:], uint64(len(dst)-start))]...)
	}
	return dst
}

// ReadWaves reads a payload made by AppendWaves. It refuses more than 1024
// chunks or 65536 samples in all, chunks in any wavecodec version but 1,
// and any byte it cannot account for. The chunks' samples share one array.
func ReadWaves(p []byte) (sent time.Time, chunks []WaveChunk, err error) {
	if len(p) > MaxFrame {
		return sent, nil, fmt.Errorf("read waves: %d bytes: over %d: %w", len(p), MaxFrame, ErrFrame)
	}
	if len(p) < 8 {
		return sent, nil, fmt.Errorf("read waves: %d bytes: too short: %w", len(p), ErrFrame)
	}
	ms := binary.BigEndian.Uint64(p)
	if ms > math.MaxInt64 {
		return sent, nil, fmt.Errorf("read waves: sent time %d: %w", ms, ErrFrame)
	}
	sent = time.UnixMilli(int64(ms))
	// First pass: headers and counts, so the samples get one allocation.
	type span struct {
		c     WaveChunk
		first int32
		enc   []byte
		n     int
	}
	var spans []span
	total := 0
	for rest := p[8:]; len(rest) > 0; {
		if len(spans) == maxChunks {
			return sent, nil, fmt.Errorf("read waves: over %d chunks: %w", maxChunks, ErrFrame)
		}
		var s span
		if s.c, s.first, s.enc, rest, err = readChunkHeader(rest, int64(ms)); err != nil {
			return sent, nil, fmt.Errorf("read waves: chunk %d: %w", len(spans), err)
		}
		if s.n, err = wavecodec.Count(s.enc); err != nil || s.enc[0] != wavecodec.Version {
			return sent, nil, fmt.Errorf("read waves: chunk %d: not wavecodec version %d: %w", len(spans), wavecodec.Version, ErrFrame)
		}
		if total += s.n; total > maxSamples {
			return sent, nil, fmt.Errorf("read waves: over %d samples: %w", maxSamples, ErrFrame)
		}
		spans = append(spans, s)
	}
	samples := make([]int32, 0, total)
	chunks = make([]WaveChunk, len(spans))
	for i, s := range spans {
		start := len(samples)
		if samples, err = wavecodec.Decode(s.enc, samples); err != nil {
			return sent, nil, fmt.Errorf("read waves: chunk %d: %v: %w", i, err, ErrFrame)
		}
		s.c.Samples = samples[start:len(samples):len(samples)]
		for j, y := range s.c.Samples {
			s.c.Samples[j] = int32(uint32(y) + uint32(s.first))
		}
		chunks[i] = s.c
	}
	return sent, chunks, nil
}

// readChunkHeader reads one chunk's fields and returns its first sample,
// its encoded samples and what follows.
func readChunkHeader(p []byte, sentMS int64) (c WaveChunk, first int32, enc, rest []byte, err error) {
	h, n := binary.Uvarint(p)
	if n <= 0 || h > math.MaxUint32 {
		return c, 0, nil, nil, fmt.Errorf("handle: %w", ErrFrame)
	}
	c.Handle, p = uint32(h), p[n:]
	if c.Seq, n = binary.Uvarint(p); n <= 0 {
		return c, 0, nil, nil, fmt.Errorf("seq: %w", ErrFrame)
	}
	p = p[n:]
	d, n := binary.Varint(p)
	if n <= 0 || (d > 0 && sentMS > math.MaxInt64-d) || (d < 0 && sentMS+d < 0) {
		return c, 0, nil, nil, fmt.Errorf("time: %w", ErrFrame)
	}
	c.Time, p = time.UnixMilli(sentMS+d), p[n:]
	if len(p) == 0 {
		return c, 0, nil, nil, fmt.Errorf("flags: %w", ErrFrame)
	}
	c.Flags, p = devices.ChunkFlags(p[0]), p[1:]
	f, n := binary.Varint(p)
	if n <= 0 || f < math.MinInt32 || f > math.MaxInt32 {
		return c, 0, nil, nil, fmt.Errorf("first sample: %w", ErrFrame)
	}
	p = p[n:]
	l, n := binary.Uvarint(p)
	if n <= 0 || l == 0 || l > uint64(len(p)-n) {
		return c, 0, nil, nil, fmt.Errorf("length: %w", ErrFrame)
	}
	p = p[n:]
	return c, int32(f), p[:l], p[l:], nil
}
