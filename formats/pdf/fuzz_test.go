package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"

	"telewave/formats/ecg12"
)

var (
	plainNumber = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	operators   = map[string]bool{"m": true, "l": true, "re": true, "W": true, "n": true, "S": true, "w": true,
		"RG": true, "rg": true, "J": true, "j": true, "q": true, "Q": true, "cm": true}
)

// FuzzWriteECG12 prints random small records with random options: the
// writer never panics, refuses only with ErrInvalid, and what it writes is
// a parseable PDF of bounded size with every trace coordinate finite.
func FuzzWriteECG12(f *testing.F) {
	f.Add(500.0, 2.5, int32(0), uint8(12), uint8(0), uint8(1), "II", []byte{1, 2, 3, 4, 200, 100, 0, 7})
	f.Add(1e6, 1e-3, int32(-5), uint8(1), uint8(3), uint8(2), "ECG", []byte{0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0x80})
	f.Add(0.5, 1e9, int32(math.MaxInt32), uint8(3), uint8(5), uint8(7), "", []byte{9})
	f.Add(1e300, 1.0, int32(0), uint8(2), uint8(1), uint8(0), "I", []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0})
	layoutNames := []string{Layout3x4, Layout3x4Rhythm, Layout6x2, Layout12x1, "", "2x6"}
	f.Fuzz(func(t *testing.T, rate, scale float64, base int32, nLeads, layout, knobs uint8, label string, data []byte) {
		if len(data) > 1<<16 || nLeads > 20 {
			return
		}
		rec := &ecg12.Record{SampleRate: rate, Patient: ecg12.Patient{FamilyName: label}, Statements: []string{label}}
		n := len(data) / 4
		for k := range int(nLeads) {
			s := make([]int32, n)
			for i := range s {
				s[i] = int32(binary.LittleEndian.Uint32(data[4*i:]))
			}
			name := label
			if k < len(ecg12.StandardOrder) && knobs&1 == 0 {
				name = ecg12.StandardOrder[(k+int(knobs))%12]
			}
			rec.Leads = append(rec.Leads, ecg12.Lead{Label: name, Samples: s, Scale: scale, Baseline: base})
		}
		opt := Options{Layout: layoutNames[int(layout)%len(layoutNames)], Paper: Paper(knobs >> 1 & 1),
			Speed: []float64{0, 25, 50, 12}[knobs>>2&3], Gain: []float64{0, 5, 10, 20}[knobs>>4&3], RhythmLead: label}
		var b bytes.Buffer
		err := WriteECG12(&b, rec, opt)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		// 13 cells × 250 mm at two points per 0.1 mm bound the traces.
		if b.Len() > 4<<20 {
			t.Fatalf("%d bytes for a %d-sample record", b.Len(), n)
		}
		objs, _ := pdfObjects(t, b.Bytes())
		for _, o := range objs {
			if bytes.HasPrefix(o, []byte("<< /Length")) {
				c := streamData(t, o)
				for _, line := range bytes.Split(c, []byte("\n")) {
					if bytes.HasSuffix(line, []byte(" Tj ET")) {
						continue
					}
					for _, tok := range strings.Fields(string(line)) {
						if !plainNumber.MatchString(tok) && !operators[tok] {
							t.Fatalf("content line %q: %q is neither a plain number nor an operator we write", line, tok)
						}
					}
				}
				for _, p := range tracePoints(t, c) {
					if math.Abs(p[0]) > 1000 || math.Abs(p[1]) > 1000 {
						t.Fatalf("trace point %v off the page", p)
					}
				}
			}
		}
	})
}
