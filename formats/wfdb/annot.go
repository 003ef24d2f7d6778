package wfdb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrAnnot is wrapped by every annotation-file decode or encode error.
var ErrAnnot = errors.New("bad wfdb annotation file")

// Annotation is one entry of an annotation file (.atr, .qrs, …).
//
// In the MIT format Num and Chan are sticky (a file states them only when
// they change), while Sub and Aux belong to one annotation; the reader and
// the writer follow that rule, so Num and Chan read back as the values in
// force at each annotation.
type Annotation struct {
	Sample int64  // sample number (time) from the start of the record
	Code   int    // annotation code, 0..CodeMax (see CodeNormal…)
	Sub    int    // subtype, -128..127
	Chan   int    // signal number, 0..255
	Num    int    // annotator-defined number, -128..127
	Aux    string // auxiliary text, at most 255 bytes (e.g. "(VFL" on a rhythm change)
}

// Pseudo-codes of the MIT format: the high 6 bits of a word that does not
// start an annotation but modifies the time or the fields of one.
const (
	mitSkip = 59 // the next 4 bytes hold a time step (PDP-11 long)
	mitNum  = 60 // low 10 bits: Num
	mitSub  = 61 // low 10 bits: Sub
	mitChan = 62 // low 10 bits: Chan
	mitAux  = 63 // low 10 bits: byte count of the text that follows (padded to even)

	mitData = 0x3ff // low 10 bits of a word
)

// ReadAnnotations decodes an MIT-format annotation file. A 0x0000 word or
// the end of the input ends it. Pseudo-codes 50–58, reserved by WFDB, are
// skipped as WFDB skips them. Aux text loses the trailing NUL bytes that
// WFDB's writers often count in its length (MIT-BIH's "(N\x00").
func ReadAnnotations(r io.Reader) ([]Annotation, error) {
	br := bufio.NewReader(r)
	var (
		out      []Annotation
		t        int64
		num, chn int
		buf      [4]byte
	)
	for n := 0; ; n++ {
		if _, err := io.ReadFull(br, buf[:2]); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, fmt.Errorf("%w: word %d: truncated", ErrAnnot, n)
		}
		w := binary.LittleEndian.Uint16(buf[:2])
		if w == 0 {
			return out, nil
		}
		a, v := int(w>>10), int(w&mitData)
		last := len(out) - 1
		switch {
		case a <= CodeMax:
			t += int64(v)
			out = append(out, Annotation{Sample: t, Code: a, Num: num, Chan: chn})
		case a == mitSkip:
			if _, err := io.ReadFull(br, buf[:4]); err != nil {
				return out, fmt.Errorf("%w: word %d: truncated skip", ErrAnnot, n)
			}
			hi := uint32(binary.LittleEndian.Uint16(buf[0:2]))
			lo := uint32(binary.LittleEndian.Uint16(buf[2:4]))
			t += int64(int32(hi<<16 | lo))
		case a == mitNum:
			num = signExtend10(v)
			if last >= 0 {
				out[last].Num = num
			}
		case a == mitChan:
			chn = v
			if last >= 0 {
				out[last].Chan = chn
			}
		case a == mitSub:
			if last < 0 {
				return out, fmt.Errorf("%w: word %d: subtype before the first annotation", ErrAnnot, n)
			}
			out[last].Sub = signExtend10(v)
		case a == mitAux:
			text := make([]byte, v+v%2)
			if _, err := io.ReadFull(br, text); err != nil {
				return out, fmt.Errorf("%w: word %d: truncated aux of %d bytes", ErrAnnot, n, v)
			}
			if last < 0 {
				return out, fmt.Errorf("%w: word %d: aux before the first annotation", ErrAnnot, n)
			}
			out[last].Aux = string(bytes.TrimRight(text[:v], "\x00"))
		}
	}
}

func signExtend10(v int) int {
	if v&0x200 != 0 {
		return v - 0x400
	}
	return v
}

// WriteAnnotations encodes anns in the MIT format, ending with 0x0000.
// Annotations should be in time order; a backward or long step is written
// as a SKIP, as WFDB does.
func WriteAnnotations(w io.Writer, anns []Annotation) error {
	bw := bufio.NewWriter(w)
	var (
		t        int64
		num, chn int
		word     [2]byte
	)
	put := func(code, v int) {
		binary.LittleEndian.PutUint16(word[:], uint16(code)<<10|uint16(v&mitData))
		bw.Write(word[:])
	}
	for i, a := range anns {
		if err := checkAnnotation(a); err != nil {
			return fmt.Errorf("%w: annotation %d at sample %d: %v", ErrAnnot, i, a.Sample, err)
		}
		delta := a.Sample - t
		// A step that does not fit 10 bits goes in a SKIP. A code-0
		// annotation with no step would read as the end marker, so it
		// keeps a step of one sample after a skip of delta-1.
		step := delta
		if delta < 0 || delta > mitData || (a.Code == CodeNotQRS && delta == 0) {
			step = 0
			if a.Code == CodeNotQRS {
				step = 1
			}
		}
		if skip := delta - step; skip != 0 {
			if skip < math.MinInt32 || skip > math.MaxInt32 {
				return fmt.Errorf("%w: annotation %d: step of %d samples does not fit a skip", ErrAnnot, i, skip)
			}
			put(mitSkip, 0)
			u := uint32(int32(skip))
			var b [4]byte
			binary.LittleEndian.PutUint16(b[0:2], uint16(u>>16))
			binary.LittleEndian.PutUint16(b[2:4], uint16(u))
			bw.Write(b[:])
		}
		put(a.Code, int(step))
		t = a.Sample
		if a.Sub != 0 {
			put(mitSub, a.Sub)
		}
		if a.Chan != chn {
			put(mitChan, a.Chan)
			chn = a.Chan
		}
		if a.Num != num {
			put(mitNum, a.Num)
			num = a.Num
		}
		if a.Aux != "" {
			put(mitAux, len(a.Aux))
			bw.WriteString(a.Aux)
			if len(a.Aux)%2 == 1 {
				bw.WriteByte(0)
			}
		}
	}
	put(0, 0)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	return nil
}

func checkAnnotation(a Annotation) error {
	switch {
	case a.Code < 0 || a.Code > CodeMax:
		return fmt.Errorf("code %d outside 0..%d", a.Code, CodeMax)
	case a.Sub < -128 || a.Sub > 127:
		return fmt.Errorf("subtype %d outside -128..127", a.Sub)
	case a.Num < -128 || a.Num > 127:
		return fmt.Errorf("num %d outside -128..127", a.Num)
	case a.Chan < 0 || a.Chan > 255:
		return fmt.Errorf("chan %d outside 0..255", a.Chan)
	case len(a.Aux) > 255:
		return fmt.Errorf("aux of %d bytes, at most 255", len(a.Aux))
	}
	return nil
}
