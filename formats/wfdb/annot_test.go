package wfdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReadAnnotationsRecord100(t *testing.T) {
	f, err := os.Open("../../testdata/mitdb/100.atr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anns, err := ReadAnnotations(f)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	beats := 0
	for i, a := range anns {
		counts[Mnemonic(a.Code)]++
		if IsBeat(a.Code) {
			beats++
		}
		if i > 0 && a.Sample < anns[i-1].Sample {
			t.Fatalf("annotation %d at %d goes back from %d", i, a.Sample, anns[i-1].Sample)
		}
	}
	// Record 100 as PhysioNet describes it: 2239 N, 33 A, 1 V, opening
	// with a normal-rhythm change.
	if beats != 2273 || counts["N"] != 2239 || counts["A"] != 33 || counts["V"] != 1 {
		t.Errorf("beats %d, counts %v; want 2273 beats (2239 N, 33 A, 1 V)", beats, counts)
	}
	if anns[0].Code != CodeRhythm || anns[0].Aux != "(N" {
		t.Errorf("first annotation %+v, want a rhythm change to (N", anns[0])
	}
	if last := anns[len(anns)-1].Sample; last >= 650000 || last < 649000 {
		t.Errorf("last annotation at sample %d, want within the record's last seconds", last)
	}
}

func TestAnnotationsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		anns []Annotation
	}{
		{"empty", nil},
		{"beats", []Annotation{{Sample: 10, Code: CodeNormal}, {Sample: 300, Code: CodePVC}, {Sample: 1323, Code: CodeNormal}}},
		{"long and backward steps", []Annotation{{Sample: 5, Code: CodeNormal}, {Sample: 5 + 1024, Code: CodeNormal},
			{Sample: 1 << 30, Code: CodeAPC}, {Sample: 1<<30 - 7, Code: CodeNormal}}},
		{"same sample", []Annotation{{Sample: 100, Code: CodeRhythm, Aux: "(VFL"}, {Sample: 100, Code: CodeFlutter}}},
		{"fields", []Annotation{{Sample: 0, Code: CodeNote, Aux: "odd"}, {Sample: 9, Code: CodeNormal, Sub: -3, Chan: 1, Num: 7},
			{Sample: 20, Code: CodeNormal, Chan: 1, Num: 7}, {Sample: 30, Code: CodeNoise, Sub: 127, Num: -128, Chan: 255}}},
		{"not-QRS without a step", []Annotation{{Sample: 0, Code: CodeNotQRS}, {Sample: 0, Code: CodeNotQRS}, {Sample: 2000, Code: CodeNotQRS}}},
		{"largest code", []Annotation{{Sample: 1, Code: CodeMax}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAnnotations(&buf, tc.anns); err != nil {
				t.Fatal(err)
			}
			got, err := ReadAnnotations(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.anns) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.anns) {
				t.Fatalf("round trip\n got %+v\nwant %+v", got, tc.anns)
			}
		})
	}
}

func TestRecord100RoundTrips(t *testing.T) {
	orig, err := os.ReadFile("../../testdata/mitdb/100.atr")
	if err != nil {
		t.Fatal(err)
	}
	anns, err := ReadAnnotations(bytes.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAnnotations(&buf, anns); err != nil {
		t.Fatal(err)
	}
	again, err := ReadAnnotations(&buf)
	if err != nil || !reflect.DeepEqual(again, anns) {
		t.Fatalf("re-read differs (err %v)", err)
	}
}

func TestReadAnnotationsWords(t *testing.T) {
	w := func(code, v int) []byte {
		x := uint16(code)<<10 | uint16(v&0x3ff)
		return []byte{byte(x), byte(x >> 8)}
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name    string
		in      []byte
		want    []Annotation
		wantErr bool
	}{
		{"skip is PDP-11 ordered", cat(w(59, 0), []byte{0x01, 0x00, 0x02, 0x00}, w(1, 3), w(0, 0)),
			[]Annotation{{Sample: 0x10002 + 3, Code: 1}}, false},
		{"negative skip", cat(w(1, 100), w(59, 0), []byte{0xff, 0xff, 0xf6, 0xff}, w(5, 0)),
			[]Annotation{{Sample: 100, Code: 1}, {Sample: 90, Code: 5}}, false},
		{"sticky num and chan, one-shot sub", cat(w(1, 1), w(60, 2), w(62, 1), w(61, 0x3ff), w(1, 1)),
			[]Annotation{{Sample: 1, Code: 1, Num: 2, Chan: 1, Sub: -1}, {Sample: 2, Code: 1, Num: 2, Chan: 1}}, false},
		{"aux padded", cat(w(28, 18), w(63, 3), []byte("(AB"), []byte{0}, w(1, 2)),
			[]Annotation{{Sample: 18, Code: 28, Aux: "(AB"}, {Sample: 20, Code: 1}}, false},
		{"no end marker", cat(w(1, 5)), []Annotation{{Sample: 5, Code: 1}}, false},
		{"reserved pseudo-code skipped", cat(w(55, 9), w(1, 5)), []Annotation{{Sample: 5, Code: 1}}, false},
		{"torn word", []byte{1}, nil, true},
		{"torn skip", cat(w(59, 0), []byte{1, 2}), nil, true},
		{"torn aux", cat(w(1, 1), w(63, 10), []byte("abc")), nil, true},
		{"sub first", cat(w(61, 1)), nil, true},
		{"aux first", cat(w(63, 2), []byte("ab")), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadAnnotations(bytes.NewReader(tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrAnnot) {
					t.Fatalf("err = %v, want ErrAnnot", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestWriteAnnotationsRejects(t *testing.T) {
	long := string(make([]byte, 256))
	for _, a := range []Annotation{{Code: -1}, {Code: 50}, {Code: 1, Sub: 128}, {Code: 1, Num: -129},
		{Code: 1, Chan: 256}, {Code: 1, Aux: long}, {Code: 1, Sample: 1 << 40}} {
		if err := WriteAnnotations(&bytes.Buffer{}, []Annotation{a}); !errors.Is(err, ErrAnnot) {
			t.Errorf("WriteAnnotations(%+v) err = %v, want ErrAnnot", a, err)
		}
	}
}

// Record 207 of the shared MIT-BIH copy holds ventricular flutter: its
// rhythm changes name "(VFL" and its flutter waves are "!", not beats.
func TestReadAnnotationsFlutterRecord207(t *testing.T) {
	dir := sharedData(t, "mitdb")
	b, err := os.ReadFile(filepath.Join(dir, "207.atr"))
	if err != nil {
		t.Fatal(err)
	}
	anns, err := ReadAnnotations(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var vfl, flutter, on, off int
	for _, a := range anns {
		switch {
		case a.Code == CodeRhythm && a.Aux == "(VFL":
			vfl++
		case a.Code == CodeFlutter:
			flutter++
			if IsBeat(a.Code) {
				t.Fatal("a flutter wave counted as a beat")
			}
		case a.Code == CodeVFOn:
			on++
		case a.Code == CodeVFOff:
			off++
		}
	}
	if vfl == 0 || flutter == 0 || on != off {
		t.Errorf("(VFL changes %d, flutter waves %d, [ %d, ] %d", vfl, flutter, on, off)
	}
}

// sharedData returns ../shared/data/sub beside the repository root, or
// skips the test, naming the path, when that folder is absent.
func sharedData(t *testing.T, sub string) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("SKIPPED: %s is absent (the shared MIT-BIH copy); this test reads it", p)
	}
	return p
}

func FuzzReadAnnotations(f *testing.F) {
	if b, err := os.ReadFile("../../testdata/mitdb/100.atr"); err == nil {
		f.Add(b[:min(len(b), 600)])
	}
	f.Add([]byte{0x00, 0xec, 0x01, 0x00, 0x02, 0x00, 0x03, 0x04})
	f.Add([]byte{0x12, 0x70, 0x03, 0xfc, 'a', 'b', 'c', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		anns, err := ReadAnnotations(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrAnnot) {
				t.Fatalf("error %v does not wrap ErrAnnot", err)
			}
			return
		}
		if len(anns) > len(b)/2 {
			t.Fatalf("%d annotations from %d bytes", len(anns), len(b))
		}
		// What reads must write, and read back the same, when its fields
		// fit the writer's ranges.
		var buf bytes.Buffer
		if err := WriteAnnotations(&buf, anns); err != nil {
			return
		}
		again, err := ReadAnnotations(&buf)
		if err != nil || !reflect.DeepEqual(again, anns) {
			t.Fatalf("re-read differs: %v", err)
		}
	})
}
