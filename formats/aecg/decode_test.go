package aecg

import (
	"errors"
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

func TestDecodeMinimal(t *testing.T) {
	rec, err := Decode(readTestdata(t, "minimal.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cet := time.FixedZone("", 3600)
	if rec.Format != FormatName || rec.SampleRate != 250 || !rec.Acquired.Equal(time.Date(2024, 3, 5, 8, 15, 0, 250e6, cet)) {
		t.Errorf("format %q rate %v acquired %v", rec.Format, rec.SampleRate, rec.Acquired)
	}
	if _, off := rec.Acquired.Zone(); off != 3600 {
		t.Errorf("acquired in zone offset %d s, want 3600", off)
	}
	wantPatient := ecg12.Patient{ID: "MRN-0042", FamilyName: "Müller", GivenName: "Anna Maria", Sex: "F", BirthDate: time.Date(1961, 2, 14, 0, 0, 0, 0, time.UTC)}
	if rec.Patient != wantPatient {
		t.Errorf("patient %+v, want %+v", rec.Patient, wantPatient)
	}
	wantDevice := ecg12.Device{Manufacturer: "Example Medical", Model: "CardioCart 3", Serial: "SN-7781", Software: "2.1.0"}
	if rec.Device != wantDevice {
		t.Errorf("device %+v, want %+v", rec.Device, wantDevice)
	}
	// Leads in standard order; V1's origin −50 µV at 5 µV a step is a
	// baseline of 10 counts.
	wantLeads := []struct {
		label    string
		scale    float64
		baseline int32
		uv       []float64
	}{
		{"I", 2.5, 0, []float64{25, -50, 75, -100, 125, -150, 175, -200, 225, -250}},
		{"II", 2.5, 0, []float64{2.5, 2.5, 5, 7.5, 12.5, 20, 32.5, 52.5, 85, 137.5}},
		{"V1", 5, 10, []float64{-50, -45, -40, -35, -30, -25, -20, -15, -10, -5}},
	}
	if len(rec.Leads) != len(wantLeads) {
		t.Fatalf("%d leads, want %d", len(rec.Leads), len(wantLeads))
	}
	for i, w := range wantLeads {
		l := rec.Leads[i]
		if l.Label != w.label || math.Abs(l.Scale-w.scale) > 1e-12 || l.Baseline != w.baseline || l.Derived {
			t.Errorf("lead %d: %s scale %v baseline %d derived %v, want %s %v %d", i, l.Label, l.Scale, l.Baseline, l.Derived, w.label, w.scale, w.baseline)
		}
		for k, v := range l.Microvolts() {
			if math.Abs(v-w.uv[k]) > 1e-9 {
				t.Errorf("lead %s sample %d = %v µV, want %v", l.Label, k, v, w.uv[k])
			}
		}
	}
	if len(rec.Median) != 1 || rec.MedianRate != 500 || rec.Median[0].Label != "II" || !reflect.DeepEqual(rec.Median[0].Samples, []int32{0, 40, 200, -30, 0}) || rec.Median[0].Scale != 5 {
		t.Errorf("median %+v at %v Hz", rec.Median, rec.MedianRate)
	}
	// The per-beat QT (999 ms) and the V1 ST amplitude are not global; the
	// median's heart rate repeats the rhythm's and is dropped.
	wantM := []ecg12.Measurement{
		{Name: "VentricularRate", Value: 72, Unit: "/min"},
		{Name: "QRSDuration", Value: 94, Unit: "ms"},
		{Name: "PRInterval", Value: math.NaN(), Unit: "ms"},
		{Name: "QTc", Value: 431, Unit: "ms"},
	}
	if !equalMeasurements(rec.Measurements, wantM) {
		t.Errorf("measurements %+v, want %+v", rec.Measurements, wantM)
	}
	wantS := []string{"Sinus rhythm with 1st degree AV block", "Abnormal ECG"}
	if !reflect.DeepEqual(rec.Statements, wantS) {
		t.Errorf("statements %q, want %q", rec.Statements, wantS)
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

// Each edit of the minimal file breaks one thing; the error must say what.
func TestDecodeErrors(t *testing.T) {
	src := string(readTestdata(t, "minimal.xml"))
	tests := []struct {
		name, old, new, want string
	}{
		{"not xml", "<AnnotatedECG", "<AnnotatedECG <", "xml"},
		{"other root", "AnnotatedECG", "Observation", "root element"},
		{"no rhythm series", `code="RHYTHM"`, `code="RHYTHMIC"`, "no component/series with code RHYTHM"},
		{"no time sequence", `xsi:type="GLIST_TS"`, `xsi:type="GLIST_INT"`, "no TIME_ABSOLUTE"},
		{"zero increment", `<increment value="4" unit="ms"/>`, `<increment value="0" unit="ms"/>`, "not a positive interval"},
		{"increment in Hz", `<increment value="4" unit="ms"/>`, `<increment value="4" unit="Hz"/>`, `unit "Hz": not a time`},
		{"bad head", `<head value="20240305081500.250+0100"/>`, `<head value="20241305081500"/>`, "head: timestamp"},
		{"bad digit", "10 -20 30", "10 -20 3O", `digit 3 "3O"`},
		{"huge digit", "10 -20 30", "10 -20 3000000000", "digit 3"},
		{"no digits", "1 1 2 3 5 8 13 21 34 55", " ", "MDC_ECG_LEAD_II: digits: no digits"},
		{"short lead", "1 1 2 3 5 8 13 21 34 55", "1 1 2 3 5 8 13 21 34", "lead II has 9 samples"},
		{"scale not a voltage", `<scale value="2.5" unit="uV"/>`, `<scale value="2.5" unit="ms"/>`, `scale unit "ms": not a voltage`},
		{"negative scale", `<scale value="0.005" unit="mV"/>`, `<scale value="-0.005" unit="mV"/>`, "not a positive number"},
		{"huge origin", `<origin value="-0.05" unit="mV"/>`, `<origin value="-5e300" unit="mV"/>`, "scale steps"},
		{"two lead Is", "MDC_ECG_LEAD_V1", "MDC_ECG_LEAD_I", `lead "I" twice`},
		{"median short lead", "<digits>0 40 200 -30 0</digits>", "<digits>0 40 200 -30 0</digits></value></sequence></component><component><sequence><code code=\"MDC_ECG_LEAD_I\"/><value xsi:type=\"SLIST_PQ\"><scale value=\"5\" unit=\"uV\"/><digits>1</digits>", "REPRESENTATIVE_BEAT: lead I has 1 samples"},
		{"measurement not a number", `value="431" unit="ms"`, `value="4x1" unit="ms"`, `MDC_ECG_TIME_PD_QTc: value "4x1"`},
		{"bad birth date", `<birthTime value="19610214"/>`, `<birthTime value="1961021"/>`, "birthTime"},
		{"undeclared encoding", `encoding="ISO-8859-1"`, `encoding="EBCDIC"`, "EBCDIC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the minimal file has no %q", tc.old)
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

// An origin between two scale steps is rounded to the nearer step.
func TestOriginBetweenSteps(t *testing.T) {
	src := strings.Replace(string(readTestdata(t, "minimal.xml")), `<origin value="-0.05" unit="mV"/>`, `<origin value="-0.0512" unit="mV"/>`, 1)
	rec, err := Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := rec.Lead("V1")
	if v1.Baseline != 10 {
		t.Errorf("baseline %d, want 10 (−51.2 µV at 5 µV a step)", v1.Baseline)
	}
	if got := v1.Microvolts()[0]; math.Abs(got-(-51.2)) > v1.Scale/2 {
		t.Errorf("first sample %v µV, want −51.2 within half a step", got)
	}
}

func TestUTF16(t *testing.T) {
	src := readTestdata(t, "minimal.xml")
	want, err := Decode(src)
	if err != nil {
		t.Fatal(err)
	}
	// The same text in UTF-16, declared as such.
	text := strings.Replace(string(xmltext.FromWindows1252(src)), `encoding="ISO-8859-1"`, `encoding="UTF-16"`, 1)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"LE with BOM", append([]byte{0xFF, 0xFE}, utf16Bytes(text, false)...)},
		{"BE with BOM", append([]byte{0xFE, 0xFF}, utf16Bytes(text, true)...)},
		{"LE without BOM", utf16Bytes(text, false)},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, strings.Replace(text, "UTF-16", "UTF-8", 1)...)},
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
				t.Errorf("decoded differently: %+v", got.Patient)
			}
		})
	}
	if _, err := Decode([]byte{0xFF, 0xFE, '<'}); !errors.Is(err, ecg12.ErrFormat) {
		t.Errorf("odd-length UTF-16: %v", err)
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
		name string
		head string
		want bool
	}{
		{"declaration then root", `<?xml version="1.0"?>` + "\n<AnnotatedECG xmlns=\"urn:hl7-org:v3\">", true},
		{"prefixed root", `<v3:AnnotatedECG xmlns:v3="urn:hl7-org:v3">`, true},
		{"MUSE", `<?xml version="1.0"?><RestingECG>`, false},
		{"Sierra", `<restingecgdata xmlns="http://www3.medical.philips.com">`, false},
		{"binary", "\x00\x01\x02SCPECG", false},
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

func TestTimestamps(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		out  string // formatTS of the result
	}{
		{"20021122091000", time.Date(2002, 11, 22, 9, 10, 0, 0, time.UTC), "20021122091000"},
		{"20021122091000.000", time.Date(2002, 11, 22, 9, 10, 0, 0, time.UTC), "20021122091000"},
		{"20021122091000.5", time.Date(2002, 11, 22, 9, 10, 0, 500e6, time.UTC), "20021122091000.500"},
		{"20021122091000.123456", time.Date(2002, 11, 22, 9, 10, 0, 123456e3, time.UTC), "20021122091000.123456"},
		{"200211220910", time.Date(2002, 11, 22, 9, 10, 0, 0, time.UTC), "20021122091000"},
		{"19530508", time.Date(1953, 5, 8, 0, 0, 0, 0, time.UTC), "19530508000000"},
		{"2002", time.Date(2002, 1, 1, 0, 0, 0, 0, time.UTC), "20020101000000"},
		{"20240305081500-0530", time.Date(2024, 3, 5, 8, 15, 0, 0, time.FixedZone("", -5*3600-1800)), "20240305081500-0530"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseTS(tc.in)
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("parseTS = %v, %v; want %v", got, err, tc.want)
			}
			if s := formatTS(got); s != tc.out {
				t.Errorf("formatTS = %q, want %q", s, tc.out)
			}
		})
	}
	for _, bad := range []string{"", "200", "20021322", "20020230", "2002112209100", "20021122091000.", "20021122.5", "20021122091000+01", "2002112209100x", "20021122091000.1234567890"} {
		if _, err := parseTS(bad); err == nil {
			t.Errorf("parseTS(%q) gave no error", bad)
		}
	}
}
