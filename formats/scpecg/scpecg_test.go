package scpecg

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"telewave/formats/ecg12"
)

// The default table as the standard publishes it: base codes (as stored,
// bit-reversed) and values, in the standard's order.
func TestDefaultTableMatchesStandard(t *testing.T) {
	base := []uint32{0, 1, 5, 3, 11, 7, 23, 15, 47, 31, 95, 63, 191, 127, 383, 255, 767, 511, 1023}
	prefix := []int{1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 10, 10}
	total := []int{1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 18, 26}
	value := []int32{0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 0, 0}
	if len(defaultTable) != 19 {
		t.Fatalf("%d codes", len(defaultTable))
	}
	for k, c := range defaultTable {
		if reverse(c.bits, c.prefix) != base[k] || c.prefix != prefix[k] || c.total != total[k] || c.value != value[k] || c.switchTable {
			t.Errorf("code %d: %+v", k, c)
		}
	}
}

// The standard's worked example of Huffman decoding: 15 bytes, default
// table, second differences, 28 samples.
func TestStandardHuffmanExample(t *testing.T) {
	in := []byte{0xFF, 0x83, 0x7F, 0xE0, 0xE6, 0xF1, 0x53, 0x65, 0x59, 0xB6, 0x5B, 0x96, 0x4B, 0x96, 0x00}
	want := []int32{13, 14, 15, 14, 16, 18, 19, 20, 22, 22, 23, 23, 23, 22, 22, 20, 17, 15, 12, 8, 6, 3, 1, 0, -2, -2, -3, -3}
	got, err := defaultHuffman.decode(in, len(want))
	if err != nil {
		t.Fatal(err)
	}
	undifference(got, 2)
	if !slices.Equal(got, want) {
		t.Errorf("decoded %v\nwant    %v", got, want)
	}
	// and the encoder codes it back to the same bits
	coded, err := huffmanEncode(defaultTable, difference(want, 2))
	if err != nil || !slices.Equal(coded, in[:len(coded)]) {
		t.Errorf("encoded % x, %v", coded, err)
	}
}

var twelve = ecg12.StandardOrder

func TestRoundTrip(t *testing.T) {
	eight := []string{"I", "II", "V1", "V2", "V3", "V4", "V5", "V6"}
	tests := []struct {
		name   string
		rec    *ecg12.Record
		stored int // leads not derived on reading
	}{
		{"12 leads 500 Hz", syntheticECG(twelve, 500, 5000, 4.88, false), 12},
		{"8 leads 250 Hz, limb leads derived", syntheticECG(eight, 250, 2500, 5, false), 8},
		{"12 leads 1 kHz with 8- and 16-bit codes", syntheticECG(twelve, 1000, 10000, 1, true), 12},
		{"3 leads 800 Hz", syntheticECG([]string{"V7", "V4R", "-aVR"}, 800, 1234, 2.5, true), 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.rec
			if tc.stored == 12 {
				rec.Median = syntheticECG(twelve, rec.SampleRate, 600, rec.Leads[0].Scale, false).Leads
				rec.MedianRate = rec.SampleRate
				rec.Measurements = []ecg12.Measurement{meas("VentricularRate", 71, "/min"), meas("AtrialRate", 71, "/min"),
					meas("RRInterval", 845, "ms"), meas("PPInterval", 845, "ms"), meas("PDuration", 96, "ms"), meas("PRInterval", 160, "ms"),
					meas("QRSDuration", 88, "ms"), meas("QTInterval", 380, "ms"), meas("QTc", 412, "ms"),
					meas("PAxis", 55, "deg"), meas("QRSAxis", -30, "deg"), meas("TAxis", math.NaN(), "deg")}
				rec.Statements = []string{"Sinus rhythm", "Left axis deviation", "Abnormal ECG — unconfirmed"}
			}
			data, err := Encode(rec)
			if err != nil {
				t.Fatal(err)
			}
			if !Sniff(data) {
				t.Error("Sniff = false on our own file")
			}
			f, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			got := f.Record
			if got.Format != "SCP-ECG 2.0" || got.SampleRate != rec.SampleRate || got.Patient != rec.Patient ||
				got.Device != rec.Device || !got.Acquired.Equal(rec.Acquired) {
				t.Errorf("header: %s %v Hz %+v %+v %v", got.Format, got.SampleRate, got.Patient, got.Device, got.Acquired)
			}
			stored := 0
			for _, want := range rec.Leads {
				l, ok := got.Lead(want.Label)
				if !ok || !slices.Equal(l.Samples, want.Samples) || l.Scale != want.Scale || l.Derived {
					t.Errorf("lead %s: found %v, equal %v, scale %v", want.Label, ok, slices.Equal(l.Samples, want.Samples), l.Scale)
				}
			}
			for _, l := range got.Leads {
				if !l.Derived {
					stored++
				}
			}
			if stored != tc.stored || len(got.Leads) < len(rec.Leads) {
				t.Errorf("%d stored leads of %d", stored, len(got.Leads))
			}
			if len(rec.Median) > 0 {
				for _, want := range rec.Median {
					l, ok := (&ecg12.Record{Leads: got.Median}).Lead(want.Label)
					if !ok || !slices.Equal(l.Samples, want.Samples) {
						t.Errorf("median lead %s differs", want.Label)
					}
				}
				if got.MedianRate != rec.MedianRate {
					t.Errorf("median at %v Hz", got.MedianRate)
				}
			}
			if !sameMeasurements(got.Measurements, rec.Measurements) || !slices.Equal(got.Statements, rec.Statements) {
				t.Errorf("measurements %v\nstatements %q", got.Measurements, got.Statements)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	ok := func() *ecg12.Record { return syntheticECG([]string{"I", "II"}, 500, 100, 5, false) }
	tests := []struct {
		name   string
		change func(r *ecg12.Record)
		want   string
	}{
		{"unknown lead", func(r *ecg12.Record) { r.Leads[1].Label = "Pleth" }, `lead "Pleth" has no SCP-ECG identifier`},
		{"scales differ", func(r *ecg12.Record) { r.Leads[1].Scale = 2.5 }, "scale 2.5 µV differs"},
		{"fractional nV", func(r *ecg12.Record) { r.Leads[0].Scale, r.Leads[1].Scale = 0.0005, 0.0005 }, "not a whole number of nV"},
		{"rate", func(r *ecg12.Record) { r.SampleRate = 3 }, "not a whole number of µs"},
		{"17-bit sample", func(r *ecg12.Record) { r.Leads[0].Samples[9] = 40000 }, "does not fit 16 bits"},
		{"invalid record", func(r *ecg12.Record) { r.Leads[0].Samples = r.Leads[0].Samples[1:] }, "lead II has 100 samples, lead I 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ok()
			tc.change(r)
			if _, err := Encode(r); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// fileWith builds a record from raw sections, for codings Encode does not
// write.
func fileWith(protocol uint8, secs map[int][]byte) []byte { return assemble(protocol, secs) }

func TestCodings(t *testing.T) {
	src := syntheticECG([]string{"I", "II", "V1"}, 500, 1500, 5, true)
	leads := [][]int32{src.Leads[0].Samples, src.Leads[1].Samples, src.Leads[2].Samples}
	ids := []int{1, 2, 3}
	// A custom table: short codes for small values, 16-bit escape.
	custom := []code{
		{prefix: 1, total: 1, value: 0, bits: 0b1},
		{prefix: 2, total: 2, value: 1, bits: 0b01},
		{prefix: 3, total: 3, value: -1, bits: 0b001},
		{prefix: 4, total: 12, bits: 0b0001},
		{prefix: 4, total: 20, bits: 0b0000},
	}
	code := func(table []code, diff int) [][]byte {
		var out [][]byte
		for _, v := range leads {
			b, err := huffmanEncode(table, difference(v, diff))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
		return out
	}
	raw := func(diff int) [][]byte {
		var out [][]byte
		for _, v := range leads {
			out = append(out, rawInt16(difference(v, diff)))
		}
		return out
	}
	tests := []struct {
		name string
		s2   []byte
		s6   []byte
	}{
		{"raw, no section 2", nil, dataSection(5000, 2000, 0, 0, raw(0))},
		{"raw first differences", nil, dataSection(5000, 2000, 1, 0, raw(1))},
		{"raw second differences", nil, dataSection(5000, 2000, 2, 0, raw(2))},
		{"default table, values", []byte{0x1F, 0x4E}, dataSection(5000, 2000, 0, 0, code(defaultTable, 0))},
		{"default table, first differences", []byte{0x1F, 0x4E}, dataSection(5000, 2000, 1, 0, code(defaultTable, 1))},
		{"custom table, second differences", tableSection(custom), dataSection(5000, 2000, 2, 0, code(custom, 2))},
		{"custom table, first differences", tableSection(custom), dataSection(5000, 2000, 1, 0, code(custom, 1))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secs := map[int][]byte{3: leadSection(ids, 1500, 4), 6: tc.s6}
			if tc.s2 != nil {
				secs[2] = tc.s2
			}
			rec, err := Decode(fileWith(20, secs))
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range leads {
				if l, _ := rec.Lead(LeadName(ids[i])); !slices.Equal(l.Samples, want) || l.Scale != 5 {
					t.Errorf("lead %s differs", LeadName(ids[i]))
				}
			}
		})
	}
}

// Two tables that switch to each other: a run of +1 differences is coded
// in table 2, everything else in table 1. Switches persist.
func TestHuffmanTableSwitch(t *testing.T) {
	t1 := []code{
		{prefix: 1, total: 1, value: 0, bits: 0b0},
		{prefix: 2, total: 2, switchTable: true, value: 2, bits: 0b10},
		{prefix: 2, total: 18, bits: 0b11},
	}
	t2 := []code{
		{prefix: 1, total: 1, value: 1, bits: 0b0},
		{prefix: 2, total: 2, switchTable: true, value: 1, bits: 0b10},
		{prefix: 2, total: 18, bits: 0b11},
	}
	values := []int32{0, 0, 1, 1, 1, 0, 5, -300, 1, 0}
	var w bitWriter
	table := 1
	for _, v := range values {
		switch {
		case v == 0 && table == 2, v == 1 && table == 1:
			w.put(0b10, 2)
			table = 3 - table
		}
		switch {
		case v == 0 && table == 1, v == 1 && table == 2:
			w.put(0, 1)
		default:
			w.put(0b11, 2)
			w.put(uint32(v), 16)
		}
	}
	secs := map[int][]byte{2: tableSection(t1, t2), 3: leadSection([]int{1}, len(values), 4),
		6: dataSection(1000, 1000, 0, 0, [][]byte{w.bytes()})}
	rec, err := Decode(fileWith(20, secs))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.Leads[0].Samples, values) {
		t.Errorf("decoded %v, want %v", rec.Leads[0].Samples, values)
	}
}

// refBeatFile stores rhythm with the reference beat subtracted inside each
// type-0 beat's zone, the reference at refAVM (the rhythm at 5000 nV).
func refBeatFile(t *testing.T, rhythm []int32, ref []int32, refAVM, refInterval int, beats []Beat, refFiducial int) []byte {
	t.Helper()
	residual := slices.Clone(rhythm)
	for _, b := range beats {
		for j := b.Start; j <= b.End && b.Type == 0; j++ {
			if m := j - b.Fiducial + refFiducial - 1; m >= 0 && m < len(ref) && j >= 1 && j <= len(rhythm) {
				residual[j-1] -= ref[m] * int32(refAVM) / 5000
			}
		}
	}
	s4 := body{}
	s4.u16(uint16(len(ref) * refInterval / 1000))
	s4.u16(uint16(refFiducial))
	s4.u16(uint16(len(beats)))
	for _, b := range beats {
		s4.u16(uint16(b.Type))
		s4.u32(uint32(b.Start))
		s4.u32(uint32(b.Fiducial))
		s4.u32(uint32(b.End))
	}
	for range beats {
		s4.u32(0)
		s4.u32(0)
	}
	enc := func(v []int32) []byte {
		b, err := huffmanEncode(defaultTable, difference(v, 2))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return fileWith(20, map[int][]byte{
		2: {0x1F, 0x4E},
		3: leadSection([]int{2}, len(rhythm), 4|1),
		4: s4,
		5: dataSection(refAVM, refInterval, 2, 0, [][]byte{enc(ref)}),
		6: dataSection(5000, 2000, 2, 0, [][]byte{enc(residual)}),
	})
}

func TestReferenceBeatSubtraction(t *testing.T) {
	src := syntheticECG([]string{"II"}, 500, 2000, 5, false).Leads[0].Samples
	ref := slices.Clone(src[400:700]) // 300 samples = 600 ms, fiducial at sample 101
	beats := []Beat{
		{Type: 0, Start: 30, Fiducial: 100, End: 250},     // partly before the reference's first sample
		{Type: 0, Start: 480, Fiducial: 520, End: 700},    // inside
		{Type: 1, Start: 900, Fiducial: 950, End: 1000},   // another type: not subtracted
		{Type: 0, Start: 1850, Fiducial: 1900, End: 2100}, // past the end of the rhythm
	}
	tests := []struct {
		name   string
		refAVM int
	}{
		{"same AVM", 5000},
		{"reference at twice the AVM", 10000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := refBeatFile(t, src, ref, tc.refAVM, 2000, beats, 101)
			f, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if !f.ReferenceBeatSubtracted || len(f.Beats) != 4 || f.Beats[1] != beats[1] {
				t.Errorf("flag %v beats %v", f.ReferenceBeatSubtracted, f.Beats)
			}
			l, _ := f.Record.Lead("II")
			if !slices.Equal(l.Samples, src) {
				for k := range src {
					if l.Samples[k] != src[k] {
						t.Fatalf("sample %d = %d, want %d", k+1, l.Samples[k], src[k])
					}
				}
			}
			if len(f.Record.Median) != 1 || len(f.Record.Median[0].Samples) != 300 || f.Record.Median[0].Scale != float64(tc.refAVM)/1000 {
				t.Errorf("median %+v", f.Record.Median)
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	v := []int32{1, 2, 3, 4}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"bimodal", fileWith(20, map[int][]byte{3: leadSection([]int{1}, 4, 4), 6: dataSection(5000, 2000, 0, 1, [][]byte{rawInt16(v)})}),
			"section 6 at byte"},
		{"decimated rhythm", func() []byte {
			d := refBeatFile(t, make([]int32, 100), make([]int32, 50), 5000, 2000, []Beat{{Start: 10, Fiducial: 20, End: 40}}, 10)
			at := sectionAt(d, 6)
			putLE16(d[at+headerLen+2:], 4000) // rhythm every 4 ms, reference every 2 ms
			return recrc(d)
		}(), "decimated rhythm data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Decode(tc.data)
			if rec != nil || !errors.Is(err, ErrUnsupported) || !errors.Is(err, ecg12.ErrFormat) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "not supported") {
				t.Errorf("%v", err)
			}
		})
	}
}

func TestVersions(t *testing.T) {
	tests := []struct {
		protocol uint8
		format   string
	}{{10, "SCP-ECG 1.0"}, {13, "SCP-ECG 1.3"}, {20, "SCP-ECG 2.0"}, {22, "SCP-ECG 2.2"}, {29, "SCP-ECG 3.0"}, {30, "SCP-ECG 3.0"}}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			rec := syntheticECG([]string{"I", "II"}, 500, 500, 5, false)
			rec.Statements = []string{"Normal ECG"}
			secs := map[int][]byte{1: patientSection(rec), 3: leadSection([]int{1, 2}, 500, 4),
				6: dataSection(5000, 2000, 0, 0, [][]byte{rawInt16(rec.Leads[0].Samples), rawInt16(rec.Leads[1].Samples)})}
			// section 11, a universal statement: in version 2 on it begins with a type byte
			s11 := body{}
			s11 = append(s11, 0xE8, 0x07, 3, 9, 14, 6, 0, 0, 1, 1)
			stmt := "\x02Sinus rhythm\x00"
			if tc.protocol < 20 {
				stmt = stmt[1:]
			}
			s11.u16(uint16(len(stmt)))
			s11 = append(s11, stmt...)
			secs[11] = s11
			data := fileWith(tc.protocol, secs)
			if tc.protocol < 20 {
				copy(data[fileHeaderLen+10:], make([]byte, 6)) // version 1 files may lack the mark
				recrc(data)
			}
			if !Sniff(data) {
				t.Error("Sniff = false")
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != tc.format || !slices.Equal(got.Leads[0].Samples, rec.Leads[0].Samples) || len(got.Leads) != 6 ||
				!slices.Equal(got.Statements, []string{"Sinus rhythm"}) || got.Patient != rec.Patient {
				t.Errorf("%s, %d leads, statements %q", got.Format, len(got.Leads), got.Statements)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	good, err := Encode(syntheticECG([]string{"I"}, 500, 10, 5, false))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"our file", good[:64], true},
		{"too short", good[:20], false},
		{"EDF", []byte("0       X X X X                                                 "), false},
		{"XML", []byte(`<?xml version="1.0" encoding="UTF-8"?><restingecgdata>........`), false},
		{"zeros", make([]byte, 64), false},
	}
	for _, tc := range tests {
		if got := Sniff(tc.head); got != tc.want {
			t.Errorf("%s: Sniff = %v", tc.name, got)
		}
	}
}

func TestTimeZoneTag(t *testing.T) {
	rec := syntheticECG([]string{"I"}, 500, 10, 5, false)
	rec.Acquired = time.Date(2023, 12, 31, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	data, err := Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, off := got.Acquired.Zone(); !got.Acquired.Equal(rec.Acquired) || off != 3600 {
		t.Errorf("acquired %v", got.Acquired)
	}
}

// Leads recorded one group after another sit at their own sample numbers.
func TestNonSimultaneousLeads(t *testing.T) {
	a, b := []int32{5, 6, 7}, []int32{-1, -2}
	s3 := body{}
	s3.u8(2)
	s3.u8(0)
	for _, l := range []struct{ start, end, id int }{{1, 3, 3}, {4, 5, 4}} {
		s3.u32(uint32(l.start))
		s3.u32(uint32(l.end))
		s3.u8(uint8(l.id))
	}
	rec, err := Decode(fileWith(20, map[int][]byte{3: s3, 6: dataSection(5000, 2000, 0, 0, [][]byte{rawInt16(a), rawInt16(b)})}))
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := rec.Lead("V1")
	v2, _ := rec.Lead("V2")
	if !slices.Equal(v1.Samples, []int32{5, 6, 7, 0, 0}) || !slices.Equal(v2.Samples, []int32{0, 0, 0, -1, -2}) {
		t.Errorf("V1 %v V2 %v", v1.Samples, v2.Samples)
	}
}
