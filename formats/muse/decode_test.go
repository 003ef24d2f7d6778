package muse

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"telewave/formats/ecg12"
	"telewave/formats/internal/xmltext"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// The formulas testdata/synthetic.xml was written with (see its comment).
func syntheticRhythm(j, k int) int32 {
	switch {
	case j == 7 && k == 0:
		return -32768
	case j == 7 && k == 1:
		return 32767
	}
	return int32((k*(j+1))%401 - 200)
}

func syntheticMedian(j, k int) int32 { return int32(j*100 - k) }

var storedLeads = []string{"I", "II", "V1", "V2", "V3", "V4", "V5", "V6"}

func TestDecodeSynthetic(t *testing.T) {
	rec, err := Decode(readTestdata(t, "synthetic.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Format != FormatName || rec.SampleRate != 250 || rec.Duration() != 2*time.Second || !rec.Acquired.Equal(time.Date(2022, 11, 3, 7, 5, 9, 0, time.UTC)) {
		t.Errorf("format %q rate %v duration %v acquired %v", rec.Format, rec.SampleRate, rec.Duration(), rec.Acquired)
	}
	wantP := ecg12.Patient{ID: "TW-000123", FamilyName: "MÜLLER", GivenName: "GRETA", Sex: "F", BirthDate: time.Date(1960, 2, 29, 0, 0, 0, 0, time.UTC)}
	wantD := ecg12.Device{Model: "MAC5500", Serial: "12", Software: "010B"}
	if rec.Patient != wantP || rec.Device != wantD {
		t.Errorf("patient %+v device %+v", rec.Patient, rec.Device)
	}
	checkLeads(t, "rhythm", rec.Leads, 500, syntheticRhythm)
	checkLeads(t, "median", rec.Median, 100, syntheticMedian)
	if rec.MedianRate != 500 {
		t.Errorf("median rate %v", rec.MedianRate)
	}
	nan := math.NaN()
	wantM := []ecg12.Measurement{
		{Name: "VentricularRate", Value: 61, Unit: "/min"}, {Name: "AtrialRate", Value: nan, Unit: "/min"}, {Name: "PRInterval", Value: 168, Unit: "ms"},
		{Name: "QRSDuration", Value: 92, Unit: "ms"}, {Name: "QTInterval", Value: 410, Unit: "ms"}, {Name: "QTc", Value: 412, Unit: "ms"},
		{Name: "PAxis", Value: 55, Unit: "deg"}, {Name: "QRSAxis", Value: -12, Unit: "deg"}, {Name: "TAxis", Value: 40, Unit: "deg"}, {Name: "QRSCount", Value: 2, Unit: ""},
		// Fiducial points: samples of the 500 Hz median, in ms.
		{Name: "QOnset", Value: 80, Unit: "ms"}, {Name: "QOffset", Value: 172, Unit: "ms"}, {Name: "POnset", Value: 20, Unit: "ms"}, {Name: "POffset", Value: 60, Unit: "ms"}, {Name: "TOffset", Value: 190, Unit: "ms"},
		{Name: "QTcFridericia", Value: 411, Unit: "ms"},
	}
	if !equalMeasurements(rec.Measurements, wantM) {
		t.Errorf("measurements\n%+v\nwant\n%+v", rec.Measurements, wantM)
	}
	wantS := []string{"Sinus rhythm", "Left axis deviation, possibly normal", "Reviewed at the patient’s bedside by the & team"}
	if !reflect.DeepEqual(rec.Statements, wantS) {
		t.Errorf("statements %q, want %q", rec.Statements, wantS)
	}
}

// checkLeads checks the 12 leads: the 8 stored ones against the formula,
// the 4 derived ones against Einthoven and Goldberger to half a count.
func checkLeads(t *testing.T, what string, leads []ecg12.Lead, n int, f func(j, k int) int32) {
	t.Helper()
	var labels []string
	for _, l := range leads {
		labels = append(labels, l.Label)
	}
	if !reflect.DeepEqual(labels, ecg12.StandardOrder) {
		t.Fatalf("%s leads %v", what, labels)
	}
	byLabel := map[string]ecg12.Lead{}
	for _, l := range leads {
		byLabel[l.Label] = l
		if l.Scale != 4.88 || l.Baseline != 0 || len(l.Samples) != n {
			t.Errorf("%s %s: scale %v baseline %d, %d samples", what, l.Label, l.Scale, l.Baseline, len(l.Samples))
		}
	}
	for j, label := range storedLeads {
		l := byLabel[label]
		if l.Derived {
			t.Errorf("%s %s marked derived", what, label)
		}
		for k := range min(n, len(l.Samples)) {
			if l.Samples[k] != f(j, k) {
				t.Fatalf("%s %s sample %d = %d, want %d", what, label, k, l.Samples[k], f(j, k))
			}
		}
	}
	I, II := byLabel["I"].Samples, byLabel["II"].Samples
	for _, d := range []struct {
		label string
		twice func(a, b float64) float64 // twice the exact value
	}{
		{"III", func(a, b float64) float64 { return 2 * (b - a) }},
		{"aVR", func(a, b float64) float64 { return -(a + b) }},
		{"aVL", func(a, b float64) float64 { return 2*a - b }},
		{"aVF", func(a, b float64) float64 { return 2*b - a }},
	} {
		l := byLabel[d.label]
		if !l.Derived {
			t.Errorf("%s %s not marked derived", what, d.label)
		}
		for k := range min(len(I), len(l.Samples)) {
			if exact := d.twice(float64(I[k]), float64(II[k])) / 2; math.Abs(float64(l.Samples[k])-exact) > 0.5 {
				t.Fatalf("%s %s sample %d = %d, exact %v", what, d.label, k, l.Samples[k], exact)
			}
		}
	}
}

func equalMeasurements(a, b []ecg12.Measurement) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		same := a[i].Value == b[i].Value || (math.IsNaN(a[i].Value) && math.IsNaN(b[i].Value))
		if a[i].Name != b[i].Name || a[i].Unit != b[i].Unit || !same {
			return false
		}
	}
	return true
}

// leadXML is one LeadData element with samples as MUSE writes them.
func leadXML(id string, upb float64, units string, samples []int16) string {
	raw := make([]byte, 0, 2*len(samples))
	for _, s := range samples {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(s))
	}
	return fmt.Sprintf("<LeadData><LeadByteCountTotal>%d</LeadByteCountTotal><LeadSampleCountTotal>%d</LeadSampleCountTotal>"+
		"<LeadAmplitudeUnitsPerBit>%v</LeadAmplitudeUnitsPerBit><LeadAmplitudeUnits>%s</LeadAmplitudeUnits><LeadID>%s</LeadID>"+
		"<LeadDataCRC32>%d</LeadDataCRC32><WaveFormData>%s</WaveFormData></LeadData>",
		len(raw), len(samples), upb, units, id, crc32.ChecksumIEEE(raw), base64.StdEncoding.EncodeToString(raw))
}

func museXML(leads ...string) []byte {
	return []byte("<RestingECG><Waveform><WaveformType>Rhythm</WaveformType><SampleBase>500</SampleBase><SampleExponent>0</SampleExponent>" +
		strings.Join(leads, "") + "</Waveform></RestingECG>")
}

// Files beyond the common shape: all twelve leads stored, millivolt
// units, I and II at different scales (nothing can be derived).
func TestDecodeVariants(t *testing.T) {
	s := []int16{-3, 0, 7}
	var twelve []string
	for _, l := range ecg12.StandardOrder {
		twelve = append(twelve, leadXML(strings.ToUpper(l), 4.88, "MICROVOLTS", s))
	}
	tests := []struct {
		name    string
		data    []byte
		labels  []string
		derived int
		scale   float64 // of the first lead
	}{
		{"twelve stored", museXML(twelve...), ecg12.StandardOrder, 0, 4.88},
		{"millivolts", museXML(leadXML("I", 0.005, "MILLIVOLTS", s), leadXML("II", 0.005, "MILLIVOLTS", s)), []string{"I", "II", "III", "aVR", "aVL", "aVF"}, 4, 5},
		{"I and II at different scales", museXML(leadXML("I", 5, "MICROVOLTS", s), leadXML("II", 2.5, "MICROVOLTS", s)), []string{"I", "II"}, 0, 5},
		{"V1 only", museXML(leadXML("V1", 1, "", s)), []string{"V1"}, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Decode(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			var labels []string
			derived := 0
			for _, l := range rec.Leads {
				labels = append(labels, l.Label)
				if l.Derived {
					derived++
				}
			}
			if !reflect.DeepEqual(labels, tc.labels) || derived != tc.derived || math.Abs(rec.Leads[0].Scale-tc.scale) > 1e-12 {
				t.Errorf("leads %v (%d derived), scale %v", labels, derived, rec.Leads[0].Scale)
			}
			if rec.Median != nil || !rec.Acquired.IsZero() || rec.Measurements != nil || rec.Statements != nil {
				t.Errorf("a file without them gave median %v, time %v, measurements %v, statements %v", rec.Median, rec.Acquired, rec.Measurements, rec.Statements)
			}
		})
	}
}

// Each edit of the synthetic file breaks one thing; the error must say
// what.
func TestDecodeErrors(t *testing.T) {
	src := string(readTestdata(t, "synthetic.xml"))
	s := []int16{1, 2, 3}
	tests := []struct {
		name, old, new, want string
	}{
		{"not xml", "<RestingECG>", "<RestingECG><", "xml"},
		{"other root", "RestingECG>", "RestingEKG>", "root element"},
		{"no rhythm", "<WaveformType>Rhythm<", "<WaveformType>Rhythmic<", "no Waveform with WaveformType Rhythm"},
		{"bad base64", "<WaveFormData>", "<WaveFormData>!", "Waveform 1 (Median): LeadData 1 (I): WaveFormData: illegal base64"},
		{"CRC mismatch", "<LeadDataCRC32>", "<LeadDataCRC32>1", "LeadDataCRC32 says"},
		{"sample count", "<LeadSampleCountTotal>500<", "<LeadSampleCountTotal>501<", `Waveform 2 (Rhythm): LeadData 1 (I): LeadSampleCountTotal "501", but WaveFormData holds 500`},
		{"byte count", "<LeadByteCountTotal>200<", "<LeadByteCountTotal>20<", "LeadByteCountTotal"},
		{"units", "MICROVOLTS", "FURLONGS", `LeadAmplitudeUnits "FURLONGS"`},
		{"zero units per bit", "<LeadAmplitudeUnitsPerBit>4.88<", "<LeadAmplitudeUnitsPerBit>0<", "LeadAmplitudeUnitsPerBit"},
		{"sample base", "<SampleBase>250<", "<SampleBase>fast<", `Waveform 2 (Rhythm): SampleBase "fast"`},
		{"sample exponent", "<SampleExponent>0<", "<SampleExponent>9<", "SampleExponent"},
		{"birth date", "02-29-1960", "02-30-1960", "DateofBirth"},
		{"acquisition time", "07:05:09", "27:05:09", "AcquisitionTime"},
		{"measurement", "<PRInterval>168<", "<PRInterval>1x8<", `RestingECGMeasurements: PRInterval "1x8"`},
		{"sample base of measurements", "<ECGSampleBase>500<", "<ECGSampleBase>0<", "ECGSampleBase"},
		{"no lead ID", "<LeadID>V3<", "<LeadID> <", "LeadID empty"},
		{"two V3s", "<LeadID>V4<", "<LeadID>V3<", `lead "V3" twice`},
		{"short lead", "</Waveform>\n</RestingECG>", leadXML("V7", 4.88, "MICROVOLTS", s) + "</Waveform></RestingECG>", "lead V7 has 3 samples"},
		{"no leads", "<WaveformType>Rhythm</WaveformType>", "<WaveformType>Rhythm</WaveformType><LeadData></LeadData>", "LeadData 1 (): LeadID empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the synthetic file has no %q", tc.old)
			}
			rec, err := Decode([]byte(strings.ReplaceAll(src, tc.old, tc.new)))
			if err == nil || rec != nil {
				t.Fatalf("no error (record %v)", rec != nil)
			}
			if !errors.Is(err, ecg12.ErrFormat) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want ErrFormat naming %q", err, tc.want)
			}
		})
	}
}

func TestUTF16(t *testing.T) {
	src := readTestdata(t, "synthetic.xml")
	want, err := Decode(src)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(xmltext.FromWindows1252(src)), `encoding="ISO-8859-1"`, `encoding="UTF-16"`, 1)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"LE with BOM", append([]byte{0xFF, 0xFE}, utf16Bytes(text, false)...)},
		{"BE with BOM", append([]byte{0xFE, 0xFF}, utf16Bytes(text, true)...)},
		{"LE without BOM", utf16Bytes(text, false)},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, strings.Replace(text, "UTF-16", "UTF-8", 1)...)},
		{"windows-1252 declared", []byte(strings.Replace(string(src), "ISO-8859-1", "windows-1252", 1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !Sniff(tc.data[:min(len(tc.data), 2049)]) {
				t.Error("Sniff does not recognise it")
			}
			got, err := Decode(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Patient != want.Patient || !reflect.DeepEqual(got.Leads, want.Leads) || !reflect.DeepEqual(got.Statements, want.Statements) {
				t.Errorf("decoded differently: %+v %q", got.Patient, got.Statements)
			}
		})
	}
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var out []byte
	for _, r := range s {
		if r > 0xFFFF {
			panic("test text outside the BMP")
		}
		if bigEndian {
			out = append(out, byte(r>>8), byte(r))
		} else {
			out = append(out, byte(r), byte(r>>8))
		}
	}
	return out
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name, head string
		want       bool
	}{
		{"declaration, doctype, root", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE RestingECG SYSTEM \"restecg.dtd\">\n<RestingECG>\n   <MuseInfo>", true},
		{"root with attributes", `<RestingECG xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`, true},
		{"doctype only", `<!DOCTYPE RestingECG SYSTEM "restecg.dtd">`, false},
		{"Sierra", `<restingecgdata xmlns="http://www3.medical.philips.com">`, false},
		{"aECG", `<AnnotatedECG xmlns="urn:hl7-org:v3">`, false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff([]byte(tc.head)); got != tc.want {
				t.Errorf("Sniff = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJoinStatements(t *testing.T) {
	end := []string{"ENDSLINE"}
	tests := []struct {
		name string
		in   []xStatement
		want []string
	}{
		{"each ends a line", []xStatement{{end, "A"}, {end, "B"}}, []string{"A", "B"}},
		{"continued with a comma", []xStatement{{nil, "Anterior infarct"}, {end, ", age undetermined"}}, []string{"Anterior infarct, age undetermined"}},
		{"continued with a word", []xStatement{{nil, "When compared with ECG of"}, {end, "30-MAR-2023 09:09,"}}, []string{"When compared with ECG of 30-MAR-2023 09:09,"}},
		{"last line unended", []xStatement{{end, "A"}, {[]string{"USERINSERT"}, "B  c\n d"}}, []string{"A", "B c d"}},
		{"empty text skipped", []xStatement{{end, ""}, {end, "A"}}, []string{"A"}},
		{"none", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := joinStatements(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
