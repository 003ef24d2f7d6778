package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"telewave/devices"
	"telewave/storage/wavecodec"
)

// A block holds consecutive chunks of one signal. Before sealing it is:
//
//	version byte (1) · rate float64 bits (8, little endian) · uvarint chunk count
//	· per chunk: a header byte and, for each bit clear, its exception
//	· the samples of all chunks, wavecodec-encoded as one run
//
// The header bits say what follows the previous chunk as expected: seq one
// more (else uvarint seq), same sample count (else uvarint n), same flags
// (else uvarint flags), host time = previous host time + previous n / rate
// (else zigzag varint difference in ns), no device time (else bit devExact:
// device time as expected, or a zigzag varint difference from the host time).
// Regular live chunks cost one byte each, so compaction removes nearly all
// of the per-chunk overhead.
const blockVersion = 1

const (
	bitSeq = 1 << iota
	bitN
	bitFlags
	bitHost
	bitHasDevice
	bitDevExact
)

var errBlock = errors.New("corrupt block")

// The sample codec of blocks: the wavecodec format for long runs.
var (
	encodeSamples = wavecodec.EncodeBlock
	decodeSamples = wavecodec.DecodeBlock
)

func expectedNext(host time.Time, n int, rate float64) time.Time {
	if rate <= 0 {
		return host
	}
	return host.Add(time.Duration(math.Round(float64(n) * 1e9 / rate)))
}

func encodeBlock(chunks []devices.Chunk, rate float64) []byte {
	b := []byte{blockVersion}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(rate))
	b = binary.AppendUvarint(b, uint64(len(chunks)))
	var total int
	for i, c := range chunks {
		total += len(c.Samples)
		var h byte
		var ext []byte
		if i > 0 && c.Seq == chunks[i-1].Seq+1 {
			h |= bitSeq
		} else {
			ext = binary.AppendUvarint(ext, c.Seq)
		}
		if i > 0 && len(c.Samples) == len(chunks[i-1].Samples) {
			h |= bitN
		} else {
			ext = binary.AppendUvarint(ext, uint64(len(c.Samples)))
		}
		if i > 0 && c.Flags == chunks[i-1].Flags {
			h |= bitFlags
		} else {
			ext = binary.AppendUvarint(ext, uint64(c.Flags))
		}
		var want time.Time
		if i > 0 {
			want = expectedNext(chunks[i-1].HostTime, len(chunks[i-1].Samples), rate)
		}
		switch {
		case i == 0:
			ext = binary.AppendVarint(ext, c.HostTime.UnixNano())
		case c.HostTime.Equal(want):
			h |= bitHost
		default:
			ext = binary.AppendVarint(ext, c.HostTime.Sub(want).Nanoseconds())
		}
		if !c.DeviceTime.IsZero() {
			h |= bitHasDevice
			prevDev := time.Time{}
			if i > 0 {
				prevDev = chunks[i-1].DeviceTime
			}
			if !prevDev.IsZero() && c.DeviceTime.Equal(expectedNext(prevDev, len(chunks[i-1].Samples), rate)) {
				h |= bitDevExact
			} else {
				ext = binary.AppendVarint(ext, c.DeviceTime.Sub(c.HostTime).Nanoseconds())
			}
		}
		b = append(b, h)
		b = append(b, ext...)
	}
	all := make([]int32, 0, total)
	for _, c := range chunks {
		all = append(all, c.Samples...)
	}
	return encodeSamples(b, all)
}

// decodeBlock is the inverse of encodeBlock; signal names the chunks.
func decodeBlock(b []byte, signal string) ([]devices.Chunk, error) {
	if len(b) < 10 || b[0] != blockVersion {
		return nil, fmt.Errorf("%w: version", errBlock)
	}
	rate := math.Float64frombits(binary.LittleEndian.Uint64(b[1:9]))
	p := b[9:]
	uv := func() (uint64, error) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, fmt.Errorf("%w: truncated header", errBlock)
		}
		p = p[n:]
		return v, nil
	}
	sv := func() (int64, error) {
		v, n := binary.Varint(p)
		if n <= 0 {
			return 0, fmt.Errorf("%w: truncated header", errBlock)
		}
		p = p[n:]
		return v, nil
	}
	count, err := uv()
	if err != nil || count == 0 || count > uint64(len(p)) {
		return nil, fmt.Errorf("%w: chunk count", errBlock)
	}
	chunks := make([]devices.Chunk, count)
	lens := make([]int, count)
	total := 0
	for i := range chunks {
		if len(p) == 0 {
			return nil, fmt.Errorf("%w: truncated header", errBlock)
		}
		h := p[0]
		p = p[1:]
		c := devices.Chunk{Signal: signal}
		if i == 0 && h&(bitSeq|bitN|bitFlags|bitHost|bitDevExact) != 0 {
			return nil, fmt.Errorf("%w: first chunk refers to a previous one", errBlock)
		}
		if h&bitSeq != 0 {
			c.Seq = chunks[i-1].Seq + 1
		} else if c.Seq, err = uv(); err != nil {
			return nil, err
		}
		if h&bitN != 0 {
			lens[i] = lens[i-1]
		} else {
			v, err := uv()
			if err != nil || v > 1<<26 {
				return nil, fmt.Errorf("%w: chunk length", errBlock)
			}
			lens[i] = int(v)
		}
		if h&bitFlags != 0 {
			c.Flags = chunks[i-1].Flags
		} else {
			v, err := uv()
			if err != nil {
				return nil, err
			}
			c.Flags = devices.ChunkFlags(v)
		}
		if h&bitHost != 0 {
			c.HostTime = expectedNext(chunks[i-1].HostTime, lens[i-1], rate)
		} else {
			d, err := sv()
			if err != nil {
				return nil, err
			}
			if i == 0 {
				c.HostTime = time.Unix(0, d).UTC()
			} else {
				c.HostTime = expectedNext(chunks[i-1].HostTime, lens[i-1], rate).Add(time.Duration(d))
			}
		}
		if h&bitHasDevice != 0 {
			if h&bitDevExact != 0 {
				if chunks[i-1].DeviceTime.IsZero() {
					return nil, fmt.Errorf("%w: device time", errBlock)
				}
				c.DeviceTime = expectedNext(chunks[i-1].DeviceTime, lens[i-1], rate)
			} else {
				d, err := sv()
				if err != nil {
					return nil, err
				}
				c.DeviceTime = c.HostTime.Add(time.Duration(d))
			}
		}
		total += lens[i]
		chunks[i] = c
	}
	samples, err := decodeSamples(p, make([]int32, 0, min(total, 8*len(p)+8)))
	if err != nil {
		return nil, err
	}
	if len(samples) != total {
		return nil, fmt.Errorf("%w: %d samples, header says %d", errBlock, len(samples), total)
	}
	for i := range chunks {
		chunks[i].Samples = samples[:lens[i]:lens[i]]
		samples = samples[lens[i]:]
	}
	return chunks, nil
}
