package aecg

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"telewave/formats/ecg12"
)

// synthetic is a record with what a round trip could lose: odd rates,
// non-zero baselines, scales that are not round, a zoned start with
// milliseconds, a median, a measurement not made, and text to escape.
func synthetic(n int) *ecg12.Record {
	rec := &ecg12.Record{
		Format:     FormatName,
		SampleRate: 257.3,
		Acquired:   time.Date(2023, 4, 29, 22, 41, 16, 125e6, time.FixedZone("", -4*3600)),
		Patient:    ecg12.Patient{ID: "081486213", FamilyName: "O'Brien & <Søn>", GivenName: "Zoë \"Jo\"", Sex: "U", BirthDate: time.Date(1979, 7, 8, 0, 0, 0, 0, time.UTC)},
		Device:     ecg12.Device{Manufacturer: "GE", Model: "MAC 5500", Serial: "74", Software: "1.02 SP05"},
		Measurements: []ecg12.Measurement{
			{Name: "VentricularRate", Value: 90, Unit: "/min"}, {Name: "PRInterval", Value: math.NaN(), Unit: "ms"},
			{Name: "QTc", Value: 491.5, Unit: "ms"}, {Name: "QRSAxis", Value: -30, Unit: "deg"},
			{Name: "QTcFrederica", Value: 460, Unit: "ms"}, {Name: "QRSCount", Value: 15},
		},
		Statements: []string{"Normal sinus rhythm", "T wave abnormality, consider lateral ischemia", "Compared with ECG of 30-MAR-2023 09:09 <no change>"},
		MedianRate: 500,
	}
	for i, label := range append(append([]string{}, ecg12.StandardOrder...), "V3R") {
		l := ecg12.Lead{Label: label, Scale: 4.88, Baseline: int32(i*7 - 20), Samples: make([]int32, n)}
		if i%3 == 1 {
			l.Scale = 1000.0 / 3
		}
		for k := range l.Samples {
			l.Samples[k] = l.Baseline + int32(300*math.Sin(float64(k*(i+1))/40)) + int32(k%7) - 3
		}
		rec.Leads = append(rec.Leads, l)
		if i < 3 {
			m := l
			m.Samples = l.Samples[:min(n, 300)]
			rec.Median = append(rec.Median, m)
		}
	}
	return rec
}

// equalRecords reports how got differs from want: times by instant,
// NaN measurements equal, lead Derived flags ignored (aECG has none).
func equalRecords(t *testing.T, got, want *ecg12.Record) {
	t.Helper()
	if got.Format != want.Format || got.SampleRate != want.SampleRate || got.MedianRate != want.MedianRate {
		t.Errorf("format %q rate %v median rate %v, want %q %v %v", got.Format, got.SampleRate, got.MedianRate, want.Format, want.SampleRate, want.MedianRate)
	}
	if !got.Acquired.Equal(want.Acquired) {
		t.Errorf("acquired %v, want %v", got.Acquired, want.Acquired)
	}
	if got.Patient != want.Patient || got.Device != want.Device {
		t.Errorf("patient %+v device %+v, want %+v %+v", got.Patient, got.Device, want.Patient, want.Device)
	}
	if !equalMeasurements(got.Measurements, want.Measurements) {
		t.Errorf("measurements %+v, want %+v", got.Measurements, want.Measurements)
	}
	if !reflect.DeepEqual(got.Statements, want.Statements) {
		t.Errorf("statements %q, want %q", got.Statements, want.Statements)
	}
	strip := func(ls []ecg12.Lead) []ecg12.Lead {
		out := append([]ecg12.Lead(nil), ls...)
		for i := range out {
			out[i].Derived = false
		}
		return out
	}
	for _, pair := range [][2][]ecg12.Lead{{got.Leads, want.Leads}, {got.Median, want.Median}} {
		if !reflect.DeepEqual(strip(pair[0]), strip(pair[1])) {
			t.Errorf("leads differ: %d vs %d", len(pair[0]), len(pair[1]))
			for i := range min(len(pair[0]), len(pair[1])) {
				a, b := pair[0][i], pair[1][i]
				if a.Label != b.Label || a.Scale != b.Scale || a.Baseline != b.Baseline || !reflect.DeepEqual(a.Samples, b.Samples) {
					t.Errorf("lead %d: %s scale %v baseline %d, want %s %v %d", i, a.Label, a.Scale, a.Baseline, b.Label, b.Scale, b.Baseline)
				}
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	noMedian := synthetic(40)
	noMedian.Median, noMedian.MedianRate = nil, 0
	unzoned := synthetic(5000)
	unzoned.Acquired = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	unzoned.SampleRate = 500
	bare := &ecg12.Record{Format: FormatName, SampleRate: 1000, Leads: []ecg12.Lead{{Label: "II", Scale: 1, Samples: []int32{-maxDigit, 0, maxDigit}}}}
	tests := []struct {
		name string
		rec  *ecg12.Record
	}{
		{"synthetic 13 leads with median", synthetic(2573)},
		{"no median", noMedian},
		{"UTC start at 500 Hz", unzoned},
		{"no time, patient or device", bare},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Encode(tc.rec)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := Encode(tc.rec)
			if !bytes.Equal(data, again) {
				t.Error("two encodings of one record differ")
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			equalRecords(t, got, tc.rec)
		})
	}
}

// Decode → Encode → Decode of the HL7 example keeps everything Decode
// read: the cart's rhythm statement comes back as an interpretation.
func TestRoundTripHL7Example(t *testing.T) {
	src, err := Decode(readShared(t, hl7Example))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	equalRecords(t, got, src)
	t.Logf("the example is %d bytes, written back %d", len(readShared(t, hl7Example)), len(data))
}

// xmllint, an independent reader, finds in a file Encode wrote the digits,
// scale, origin and increment of the source record.
func TestEncodeReadByXmllint(t *testing.T) {
	rec := synthetic(1000)
	data, err := Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "out.xml")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := xmllint(t, p, "name(/*)"); out != "AnnotatedECG" {
		t.Errorf("root %q", out)
	}
	series := "/*[local-name()='AnnotatedECG']/*[local-name()='component']/*[local-name()='series']"
	for _, l := range []ecg12.Lead{rec.Leads[1], rec.Leads[4], rec.Leads[12]} {
		if got := xmllintInts(t, p, digitsXPath(series, leadCode(l.Label))); !reflect.DeepEqual(got, l.Samples) {
			t.Errorf("lead %s: xmllint reads %d digits that differ from the %d counts", l.Label, len(got), len(l.Samples))
		}
		value := func(what string) float64 {
			x := strings.Replace(digitsXPath(series, leadCode(l.Label)), "*[local-name()='digits'])", "*[local-name()='"+what+"']/@value)", 1)
			v, err := strconv.ParseFloat(xmllint(t, p, x), 64)
			if err != nil {
				t.Fatalf("lead %s %s: %v", l.Label, what, err)
			}
			return v
		}
		if s, o := value("scale"), value("origin"); s != l.Scale || o != -float64(l.Baseline)*l.Scale {
			t.Errorf("lead %s: scale %v origin %v, want %v %v", l.Label, s, o, l.Scale, -float64(l.Baseline)*l.Scale)
		}
	}
	inc, err := strconv.ParseFloat(xmllint(t, p, "string(("+series+"//*[local-name()='increment'])[1]/@value)"), 64)
	if err != nil || math.Abs(1/inc-rec.SampleRate) > 1e-9 {
		t.Errorf("increment %v s for %v Hz (%v)", inc, rec.SampleRate, err)
	}
	if head := xmllint(t, p, "string(("+series+"//*[local-name()='head'])[1]/@value)"); head != "20230429224116.125-0400" {
		t.Errorf("head %q", head)
	}
}

func TestEncodeErrors(t *testing.T) {
	badMedian := synthetic(100)
	badMedian.Median[1].Samples = badMedian.Median[1].Samples[:10]
	noMedianRate := synthetic(100)
	noMedianRate.MedianRate = 0
	infValue := synthetic(100)
	infValue.Measurements[0].Value = math.Inf(1)
	noLeads := synthetic(100)
	noLeads.Leads = nil
	tests := []struct {
		name string
		rec  *ecg12.Record
		want string
	}{
		{"nil", nil, "no record"},
		{"no leads", noLeads, "no leads"},
		{"median leads unequal", badMedian, "median: lead II has 10 samples"},
		{"median without rate", noMedianRate, "median rate"},
		{"infinite measurement", infValue, "VentricularRate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Encode(tc.rec)
			if err == nil || data != nil || !errors.Is(err, ecg12.ErrFormat) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Encode = %d bytes, %v; want an ErrFormat naming %q", len(data), err, tc.want)
			}
		})
	}
}
