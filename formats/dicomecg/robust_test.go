package dicomecg

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"telewave/formats/ecg12"
)

// small is a short synthetic ECG with a median and annotations: every
// module the reader looks at, in a few kilobytes.
func small() *ecg12.Record {
	return withMedian(synthetic(twelve, 250, 1, 4.88, 0), 50)
}

// smallDataset is small()'s data set, for tests that break one element.
func smallDataset(t testing.TB) *dataset {
	t.Helper()
	ds, _, _, err := buildDataset(small())
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// rawFile writes a Part 10 file whose meta group names syntax and whose
// data set is body, as given.
func rawFile(t testing.TB, syntax string, body []byte) []byte {
	t.Helper()
	meta, err := writer{}.dataset(nil, item(uid(tagMediaSOPClass, SOPTwelveLeadECG), uid(tagTransferSyntax, syntax)))
	if err != nil {
		t.Fatal(err)
	}
	out := append(make([]byte, preambleLen), "DICM"...)
	return append(append(out, meta...), body...)
}

func fileOf(t testing.TB, ds *dataset, w writer) []byte {
	t.Helper()
	body, err := w.dataset(nil, ds)
	if err != nil {
		t.Fatal(err)
	}
	return rawFile(t, w.syntax(), body)
}

// set replaces the element with e's tag in ds, or adds it.
func set(ds *dataset, e element) {
	for i := range ds.elems {
		if ds.elems[i].tag == e.tag {
			ds.elems[i] = e
			return
		}
	}
	ds.elems = append(ds.elems, e)
}

func drop(ds *dataset, t tag) {
	for i := range ds.elems {
		if ds.elems[i].tag == t {
			ds.elems = append(ds.elems[:i], ds.elems[i+1:]...)
			return
		}
	}
}

func rhythm(ds *dataset) *dataset       { return ds.first(tagWaveformSeq) }
func firstChannel(ds *dataset) *dataset { return rhythm(ds).first(tagChannelDefSeq) }

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func header(t tag, vr string, length uint32) []byte {
	b := putTag(nil, t)
	if vr == "" {
		return append(b, le32(length)...)
	}
	b = append(b, vr...)
	if longVR(vr) {
		return append(append(b, 0, 0), le32(length)...)
	}
	return binary.LittleEndian.AppendUint16(b, uint16(length))
}

// Each malformed or unsupported file gives an error that wraps
// ecg12.ErrFormat and names what was wrong.
func TestDecodeRefuses(t *testing.T) {
	explicit := writer{}
	tests := []struct {
		name        string
		data        func(t *testing.T) []byte
		want        string
		unsupported bool
	}{
		{"not DICOM", func(t *testing.T) []byte { return make([]byte, 300) }, "DICM", false},
		{"empty", func(t *testing.T) []byte { return nil }, "DICM", false},
		{"big endian", func(t *testing.T) []byte { return rawFile(t, syntaxExplicitBE, nil) }, "big endian", true},
		{"deflated", func(t *testing.T) []byte { return rawFile(t, syntaxDeflated, nil) }, "deflated", true},
		{"JPEG baseline", func(t *testing.T) []byte { return rawFile(t, "1.2.840.10008.1.2.4.50", nil) }, "compressed", true},
		{"no transfer syntax", func(t *testing.T) []byte {
			return append(append(make([]byte, preambleLen), "DICM"...), header(tagMediaSOPClass, "UI", 0)...)
		}, "no transfer syntax", false},
		{"length past the end", func(t *testing.T) []byte {
			return rawFile(t, syntaxExplicitLE, append(header(tagPatientID, "LO", 40), "short"...))
		}, "(0010,0020)", false},
		{"unknown VR", func(t *testing.T) []byte {
			return rawFile(t, syntaxExplicitLE, header(tagPatientID, "ZZ", 0))
		}, `unknown VR "ZZ"`, false},
		{"undefined length on a string", func(t *testing.T) []byte {
			return rawFile(t, syntaxExplicitLE, header(tagPatientID, "UT", undefinedLength))
		}, "undefined length on VR UT", false},
		{"item without delimiter", func(t *testing.T) []byte {
			b := append(header(tagWaveformSeq, "SQ", undefinedLength), header(tagItem, "", undefinedLength)...)
			return rawFile(t, syntaxExplicitLE, append(b, header(tagPatientID, "LO", 0)...))
		}, "no item delimitation", false},
		{"sequence delimiter in a defined-length sequence", func(t *testing.T) []byte {
			return rawFile(t, syntaxExplicitLE, append(header(tagWaveformSeq, "SQ", 8), header(tagSequenceDelim, "", 0)...))
		}, "sequence delimitation item at offset", false},
		{"element where an item belongs", func(t *testing.T) []byte {
			return rawFile(t, syntaxExplicitLE, append(header(tagWaveformSeq, "SQ", 8), header(tagPatientID, "LO", 0)...))
		}, "where an item was expected", false},
		{"item longer than its sequence", func(t *testing.T) []byte {
			return rawFile(t, syntaxExplicitLE, append(header(tagWaveformSeq, "SQ", 8), header(tagItem, "", 100)...))
		}, "beyond the", false},
		{"nested too deep", func(t *testing.T) []byte {
			var b []byte
			for range maxDepth + 2 {
				b = append(b, header(tagWaveformSeq, "SQ", undefinedLength)...)
				b = append(b, header(tagItem, "", undefinedLength)...)
			}
			return rawFile(t, syntaxExplicitLE, b)
		}, "nested more than", false},
		{"not an ECG", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(ds, uid(tagSOPClass, "1.2.840.10008.5.1.4.1.1.2"))
			return fileOf(t, ds, explicit)
		}, "not an ECG waveform", false},
		{"no waveform", func(t *testing.T) []byte {
			ds := smallDataset(t)
			drop(ds, tagWaveformSeq)
			return fileOf(t, ds, explicit)
		}, "no Waveform Sequence", false},
		{"no channels", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(rhythm(ds), us(tagNumChannels, 0))
			return fileOf(t, ds, explicit)
		}, "Number of Waveform Channels", false},
		{"too many samples", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(rhythm(ds), ul(tagNumSamples, 0xFFFFFFFF))
			return fileOf(t, ds, explicit)
		}, "is more than", false},
		{"waveform data short", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(rhythm(ds), ul(tagNumSamples, 251))
			return fileOf(t, ds, explicit)
		}, "Waveform Data (5400,1010)", false},
		{"bad sampling frequency", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(rhythm(ds), text(tagSamplingFrequency, "DS", "fast"))
			return fileOf(t, ds, explicit)
		}, `"fast" is not a decimal`, false},
		{"channel definitions missing", func(t *testing.T) []byte {
			ds := smallDataset(t)
			defs := rhythm(ds).find(tagChannelDefSeq)
			defs.items = defs.items[:11]
			return fileOf(t, ds, explicit)
		}, "11 items for 12 channels", false},
		{"no sensitivity", func(t *testing.T) []byte {
			ds := smallDataset(t)
			drop(firstChannel(ds), tagChannelSensitivity)
			return fileOf(t, ds, explicit)
		}, "channel 1: ", false},
		{"pressure units", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(firstChannel(ds), seq(tagChannelUnitsSeq, codeItem("UCUM", "mm[Hg]", "mmHg")))
			return fileOf(t, ds, explicit)
		}, "is not a voltage", false},
		{"mu-law samples", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(rhythm(ds), us(tagBitsAllocated, 8))
			set(rhythm(ds), text(tagSampleInterpretation, "CS", "MB"))
			return fileOf(t, ds, explicit)
		}, `interpretation "MB"`, true},
		{"duplicate leads", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(firstChannel(ds), seq(tagChannelSourceSeq, codeItem("MDC", "2:2", "Lead II")))
			return fileOf(t, ds, explicit)
		}, `lead "II" twice`, false},
		{"bad birth date", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(ds, text(tagPatientBirthDate, "DA", "1960-1-1"))
			return fileOf(t, ds, explicit)
		}, "Birth Date", false},
		{"bad numeric value", func(t *testing.T) []byte {
			ds := smallDataset(t)
			notes := ds.items(tagAnnotationSeq)
			set(notes[len(notes)-2], text(tagNumericValue, "DS", "1.2.3"))
			return fileOf(t, ds, explicit)
		}, "QRSAxis", false},
		{"bad median", func(t *testing.T) []byte {
			ds := smallDataset(t)
			set(ds.items(tagWaveformSeq)[1], text(tagSamplingFrequency, "DS", "-5"))
			return fileOf(t, ds, explicit)
		}, "waveform group 2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Decode(tc.data(t))
			if err == nil || rec != nil {
				t.Fatalf("Decode = %v, %v; want an error", rec, err)
			}
			if !errors.Is(err, ecg12.ErrFormat) || errors.Is(err, ErrUnsupported) != tc.unsupported {
				t.Errorf("error %v: wraps ErrFormat %v, ErrUnsupported %v", err, errors.Is(err, ecg12.ErrFormat), errors.Is(err, ErrUnsupported))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// Readers meet more than this writer makes: an implicit-VR sequence inside
// a UN of undefined length (PS3.5 6.2.2), ChannelLabel without a source
// code, MDC context-free codes, SCPECG codes, mV units with a correction
// factor and a baseline, 8-bit samples, and a rhythm group picked by
// originality and size rather than label.
func TestDecodeVariants(t *testing.T) {
	t.Run("UN sequence", func(t *testing.T) {
		ds := smallDataset(t)
		wf := ds.find(tagWaveformSeq)
		items, err := writer{implicit: true, undefined: true}.items(*wf)
		if err != nil {
			t.Fatal(err)
		}
		drop(ds, tagWaveformSeq)
		body, err := writer{}.dataset(nil, ds)
		if err != nil {
			t.Fatal(err)
		}
		body = append(append(body, header(tagWaveformSeq, "UN", undefinedLength)...), items...)
		rec, err := Decode(rawFile(t, syntaxExplicitLE, body))
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, rec, small())
	})
	t.Run("coding variants", func(t *testing.T) {
		ds := smallDataset(t)
		defs := rhythm(ds).items(tagChannelDefSeq)
		set(defs[0], seq(tagChannelSourceSeq, codeItem("MDC", "131073", "")))              // I, context-free
		set(defs[1], seq(tagChannelSourceSeq, codeItem("SCPECG", "5.6.3-9-2", "Lead II"))) // II
		drop(defs[2], tagChannelSourceSeq)                                                 // III by its label
		set(defs[3], seq(tagChannelSourceSeq, codeItem("99LOCAL", "X1", "Lead aVR (Goldberger)")))
		set(defs[4], seq(tagChannelUnitsSeq, codeItem("UCUM", "mV", "millivolt")))
		set(defs[4], text(tagChannelSensitivity, "DS", "0.002"))
		set(defs[4], text(tagChannelCorrection, "DS", "1.5"))
		set(defs[4], text(tagChannelBaseline, "DS", "-0.3"))
		rec, err := Decode(fileOf(t, ds, writer{}))
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range rec.Leads[:4] {
			if l.Label != twelve[i] {
				t.Errorf("lead %d = %q, want %s", i, l.Label, twelve[i])
			}
		}
		// value = count × 0.002 × 1.5 mV − 0.3 mV: 3 µV a count, 100 counts of offset.
		if l := rec.Leads[4]; l.Scale != 3 || l.Baseline != 100 {
			t.Errorf("aVL scale %v baseline %d, want 3 µV and 100", l.Scale, l.Baseline)
		}
	})
	t.Run("8-bit samples, unlabeled groups", func(t *testing.T) {
		ds := smallDataset(t)
		groups := ds.items(tagWaveformSeq)
		two := item(text(tagOriginality, "CS", "ORIGINAL"), us(tagNumChannels, 2), ul(tagNumSamples, 4),
			text(tagSamplingFrequency, "DS", "100"), us(tagBitsAllocated, 8), text(tagSampleInterpretation, "CS", "SB"),
			seq(tagChannelDefSeq, channelDefinition(ecg12.Lead{Label: "I", Scale: 10}), channelDefinition(ecg12.Lead{Label: "II", Scale: 10})),
			element{tag: tagWaveformData, vr: "OB", value: []byte{1, 0xFF, 2, 0xFE, 3, 0xFD, 4, 0xFC}})
		for _, g := range groups {
			drop(g, tagMultiplexGroupLabel)
		}
		ds.find(tagWaveformSeq).items = []*dataset{two, groups[1], groups[0]}
		rec, err := Decode(fileOf(t, ds, writer{}))
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Leads) != 12 || rec.SampleRate != 250 || len(rec.Median) != 0 {
			t.Errorf("picked %d leads at %v Hz, median %d: want the 12-channel ORIGINAL group", len(rec.Leads), rec.SampleRate, len(rec.Median))
		}
		ds.find(tagWaveformSeq).items = []*dataset{two}
		if rec, err = Decode(fileOf(t, ds, writer{})); err != nil {
			t.Fatal(err)
		}
		if got := rec.Leads[1].Samples; len(got) != 4 || got[0] != -1 || got[3] != -4 {
			t.Errorf("8-bit lead II = %v", got)
		}
	})
	t.Run("Latin-1, content date and zone", func(t *testing.T) {
		ds := smallDataset(t)
		set(ds, text(tagCharacterSet, "CS", "ISO_IR 100"))
		set(ds, element{tag: tagPatientName, vr: "PN", value: []byte("M\xfcller^J\xf6rg ")})
		drop(ds, tagAcquisitionDateTime)
		set(ds, element{tag: tagContentDate, vr: "DA", value: []byte("2020.01.02")})
		set(ds, text(tagContentTime, "TM", "03:04"))
		set(ds, text(tagTimezoneOffset, "SH", "-0500"))
		rec, err := Decode(fileOf(t, ds, writer{}))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Patient.FamilyName != "Müller" || rec.Patient.GivenName != "Jörg" {
			t.Errorf("name %q %q", rec.Patient.FamilyName, rec.Patient.GivenName)
		}
		if got := rec.Acquired.UTC().Format("2006-01-02 15:04:05"); got != "2020-01-02 08:04:00" {
			t.Errorf("acquired %v (UTC %s)", rec.Acquired, got)
		}
	})
}

// Cutting a file anywhere gives an error, never a panic or a record.
func TestTruncated(t *testing.T) {
	files := map[string][]byte{}
	for name, w := range map[string]writer{"explicit": {}, "implicit": {implicit: true}, "undefined": {undefined: true}} {
		data, err := encode(small(), w)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	if p, ok := sharedPath(mortaraFile); ok {
		if b, err := os.ReadFile(p); err == nil {
			files["mortara"] = b
		}
	}
	for name, data := range files {
		step := max(1, len(data)/3000)
		for n := 0; n < len(data); n += step {
			rec, err := Decode(data[:n])
			if err == nil || rec != nil {
				t.Fatalf("%s cut at %d of %d: no error", name, n, len(data))
			}
			if !errors.Is(err, ecg12.ErrFormat) {
				t.Fatalf("%s cut at %d: %v does not wrap ErrFormat", name, n, err)
			}
		}
	}
}

// Flipping random bytes never panics; whatever still decodes is a valid
// record.
func TestByteFlips(t *testing.T) {
	base, err := encode(small(), writer{undefined: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	failed := 0
	for range 3000 {
		data := append([]byte(nil), base...)
		for range 1 + r.IntN(4) {
			data[preambleLen+r.IntN(len(data)-preambleLen)] ^= byte(1 + r.IntN(255))
		}
		rec, err := Decode(data)
		if err != nil {
			failed++
			continue
		}
		if err := rec.Validate(); err != nil {
			t.Fatalf("decoded an invalid record: %v", err)
		}
	}
	t.Logf("%d of 3000 corrupted files refused", failed)
}

// sharedPath is sharedData without skipping, for seeding.
func sharedPath(rel string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "data", rel)
			_, err := os.Stat(p)
			return p, err == nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// tiny is the smallest record that still has every part: three leads of
// eight samples, a median, a measurement and a statement. Small seeds keep
// the fuzzer's minimisation short.
func tiny() *ecg12.Record {
	rec := withMedian(synthetic([]string{"I", "II", "V1"}, 250, 8.0/250, 4.88, 0), 4)
	rec.Measurements, rec.Statements = rec.Measurements[:1], rec.Statements[:1]
	return rec
}

// FuzzDecode: run with -fuzzminimizetime=1s, or the 10 s budget goes to
// minimising the first new inputs.
func FuzzDecode(f *testing.F) {
	for _, w := range []writer{{}, {implicit: true}, {undefined: true}} {
		data, err := encode(tiny(), w)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if p, ok := sharedPath(mortaraFile); ok {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Decode(data)
		if err != nil {
			if rec != nil || !errors.Is(err, ecg12.ErrFormat) {
				t.Fatalf("error %v with record %v", err, rec != nil)
			}
			return
		}
		if err := rec.Validate(); err != nil {
			t.Fatalf("decoded an invalid record: %v", err)
		}
		if out, err := Encode(rec); err == nil {
			if _, err := Decode(out); err != nil {
				t.Fatalf("re-encoded record does not decode: %v", err)
			}
		}
	})
}

// BenchmarkDecode reads a 10 s, 12-lead, 500 Hz ECG with a median beat and
// annotations (about 140 kB).
func BenchmarkDecode(b *testing.B) {
	data, err := Encode(withMedian(synthetic(twelve, 500, 10, 4.88, 0), 600))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode writes the same ECG.
func BenchmarkEncode(b *testing.B) {
	rec := withMedian(synthetic(twelve, 500, 10, 4.88, 0), 600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(rec); err != nil {
			b.Fatal(err)
		}
	}
}
