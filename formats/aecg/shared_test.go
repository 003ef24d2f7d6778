package aecg

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"telewave/formats/ecg12"
)

// sharedData finds ../shared/data beside the repository root, or skips
// loudly: the HL7 example's terms are unstated, so it is not copied here.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	p, err := sharedPath(rel)
	if err != nil {
		tb.Skipf("SKIPPED: %v; this test reads files that may not be copied into testdata", err)
	}
	return p
}

// sharedPath is ../shared/data/rel beside the repository root, if it is
// there.
func sharedPath(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no repository root above the test; shared data %s not read", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared data %s is absent (%v)", p, err)
	}
	return p, nil
}

const hl7Example = "ecg12/hl7-aecg/ecg-kit_ecg_hl7.xml"

func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(sharedData(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// The HL7 aECG example ("PUK-123" trial, subject Clark): a Mortara ELI250,
// 12 leads at 500 Hz for 10 s in 2.5 µV steps, a 599-sample representative
// beat with the global measurements, and a sinus-rhythm statement.
func TestDecodeHL7Example(t *testing.T) {
	rec, err := Decode(readShared(t, hl7Example))
	if err != nil {
		t.Fatal(err)
	}
	if rec.SampleRate != 500 || !rec.Acquired.Equal(time.Date(2002, 11, 22, 9, 10, 0, 0, time.UTC)) || rec.Duration() != 10*time.Second {
		t.Errorf("rate %v acquired %v duration %v", rec.SampleRate, rec.Acquired, rec.Duration())
	}
	wantP := ecg12.Patient{ID: "SBJ-123", FamilyName: "Clark", Sex: "M", BirthDate: time.Date(1953, 5, 8, 0, 0, 0, 0, time.UTC)}
	wantD := ecg12.Device{Manufacturer: "Mortara Instrument, Inc.", Model: "ELI250", Serial: "0", Software: "5.3"}
	if rec.Patient != wantP || rec.Device != wantD {
		t.Errorf("patient %+v device %+v", rec.Patient, rec.Device)
	}
	var labels []string
	for _, l := range rec.Leads {
		labels = append(labels, l.Label)
		if l.Scale != 2.5 || l.Baseline != 0 || len(l.Samples) != 5000 || l.Derived {
			t.Errorf("lead %s: scale %v baseline %d, %d samples", l.Label, l.Scale, l.Baseline, len(l.Samples))
		}
	}
	if !reflect.DeepEqual(labels, ecg12.StandardOrder) {
		t.Errorf("leads %v", labels)
	}
	if len(rec.Median) != 12 || rec.MedianRate != 500 || len(rec.Median[0].Samples) != 599 || rec.Median[2].Label != "III" {
		t.Errorf("median: %d leads at %v Hz", len(rec.Median), rec.MedianRate)
	}
	wantM := []ecg12.Measurement{
		{Name: "PDuration", Value: 102, Unit: "ms"}, {Name: "PRInterval", Value: 148, Unit: "ms"},
		{Name: "QRSDuration", Value: 120, Unit: "ms"}, {Name: "QTInterval", Value: 420, Unit: "ms"},
		{Name: "QTc", Value: 443, Unit: "ms"}, {Name: "PAxis", Value: 44, Unit: "deg"},
		{Name: "QRSAxis", Value: -61, Unit: "deg"}, {Name: "TAxis", Value: 86, Unit: "deg"},
	}
	if !equalMeasurements(rec.Measurements, wantM) {
		t.Errorf("measurements %+v", rec.Measurements)
	}
	if !reflect.DeepEqual(rec.Statements, []string{"Sinus Rhythm"}) {
		t.Errorf("statements %q", rec.Statements)
	}
	// The cart stored all twelve leads; they must obey Einthoven and
	// Goldberger to the cart's rounding, which shows each digit string
	// went to the lead its code names.
	l := func(name string) []int32 { x, _ := rec.Lead(name); return x.Samples }
	I, II, III, aVR, aVL, aVF := l("I"), l("II"), l("III"), l("aVR"), l("aVL"), l("aVF")
	worst := 0.0
	for k := range I {
		a, b := float64(I[k]), float64(II[k])
		for _, d := range []float64{float64(III[k]) - (b - a), float64(aVR[k]) + (a+b)/2, float64(aVL[k]) - (a - b/2), float64(aVF[k]) - (b - a/2)} {
			worst = max(worst, math.Abs(d))
		}
	}
	if worst > 1.5 {
		t.Errorf("limb leads break Einthoven/Goldberger by %v counts", worst)
	}
}

// xmllint, a second reader, must find in the source file the digits and
// increment Decode reported.
func TestHL7ExampleAgainstXmllint(t *testing.T) {
	p := sharedData(t, hl7Example)
	rec, err := Decode(readShared(t, hl7Example))
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"II", "aVF", "V6"} {
		l, _ := rec.Lead(label)
		want := xmllintInts(t, p, digitsXPath("/*[local-name()='AnnotatedECG']/*[local-name()='component']/*[local-name()='series']", leadCode(label)))
		if !reflect.DeepEqual(l.Samples, want) {
			t.Errorf("lead %s: %d samples decoded, xmllint reads %d; they differ", label, len(l.Samples), len(want))
		}
	}
	inc := xmllint(t, p, "string((//*[local-name()='increment'])[1]/@value)")
	if v, err := strconv.ParseFloat(inc, 64); err != nil || math.Abs(1/v-rec.SampleRate) > 1e-9 {
		t.Errorf("xmllint increment %q for rate %v", inc, rec.SampleRate)
	}
}

// digitsXPath selects the digits of the lead sequence with code under the
// series path.
func digitsXPath(series, code string) string {
	return "string(" + series + "/*[local-name()='component']/*[local-name()='sequenceSet']/*[local-name()='component']/*[local-name()='sequence'][*[local-name()='code']/@code='" + code + "']/*[local-name()='value']/*[local-name()='digits'])"
}

func xmllint(tb testing.TB, file, xpath string) string {
	tb.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		tb.Skipf("SKIPPED: xmllint not installed (make test installs libxml2-utils)")
	}
	out, err := exec.Command(bin, "--xpath", xpath, file).Output()
	if err != nil {
		tb.Fatalf("xmllint --xpath %s: %v", xpath, err)
	}
	return strings.TrimSpace(string(out))
}

func xmllintInts(tb testing.TB, file, xpath string) []int32 {
	tb.Helper()
	var out []int32
	for _, f := range strings.Fields(xmllint(tb, file, xpath)) {
		n, err := strconv.ParseInt(f, 10, 32)
		if err != nil {
			tb.Fatalf("xmllint gave %q", f)
		}
		out = append(out, int32(n))
	}
	return out
}
