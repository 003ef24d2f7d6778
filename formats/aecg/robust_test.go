package aecg

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"telewave/formats/ecg12"
)

// checkDecode is what every input must give: a valid record, or no record
// and an error wrapping ErrFormat.
func checkDecode(tb testing.TB, data []byte) error {
	tb.Helper()
	rec, err := Decode(data)
	if err != nil {
		if rec != nil || !errors.Is(err, ecg12.ErrFormat) {
			tb.Fatalf("error %v with record %v; errors must wrap ErrFormat and come alone", err, rec != nil)
		}
		return err
	}
	if err := rec.Validate(); err != nil {
		tb.Fatalf("Decode returned an invalid record: %v", err)
	}
	return nil
}

// A file cut anywhere before its closing tag is an error.
func TestTruncated(t *testing.T) {
	written, err := Encode(synthetic(50))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"minimal", readTestdata(t, "minimal.xml")},
		{"written", written},
	} {
		t.Run(tc.name, func(t *testing.T) {
			end := len(bytes.TrimRight(tc.data, " \r\n\t"))
			// About 1500 cuts, and every one of the last 200 bytes.
			for n := 0; n < end; n += max(1, min(end/1500, end-200-n)) {
				if checkDecode(t, tc.data[:n]) == nil {
					t.Fatalf("cut at %d of %d bytes decoded without error", n, len(tc.data))
				}
			}
		})
	}
}

func TestTruncatedHL7Example(t *testing.T) {
	data := readShared(t, hl7Example)
	end := len(bytes.TrimRight(data, " \r\n\t"))
	for n := 0; n < end; n += 1999 {
		if checkDecode(t, data[:n]) == nil {
			t.Fatalf("cut at %d of %d bytes decoded without error", n, len(data))
		}
	}
}

// Random byte changes may leave a valid file (a changed digit is still a
// digit) but must never panic or yield an invalid record; most must fail.
func TestByteFlips(t *testing.T) {
	src := readTestdata(t, "minimal.xml")
	r := rand.New(rand.NewPCG(8, 1064))
	failed := 0
	const trials = 3000
	for range trials {
		data := bytes.Clone(src)
		for range 1 + r.IntN(4) {
			data[r.IntN(len(data))] = byte(r.IntN(256))
		}
		if checkDecode(t, data) != nil {
			failed++
		}
	}
	t.Logf("%d of %d corrupted files rejected", failed, trials)
	if failed < trials/10 {
		t.Errorf("only %d of %d corrupted files rejected", failed, trials)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(readTestdata(f, "minimal.xml"))
	if p, err := sharedPath(hl7Example); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	if w, err := Encode(synthetic(20)); err == nil {
		f.Add(w)
	}
	f.Add([]byte(`<AnnotatedECG><component><series><code code="RHYTHM"/></series></component></AnnotatedECG>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// BenchmarkDecode reads a 10 s, 12-lead, 500 Hz aECG as Encode writes it.
func BenchmarkDecode(b *testing.B) {
	rec := synthetic(5000)
	rec.Leads = rec.Leads[:12]
	data, err := Encode(rec)
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

func BenchmarkEncode(b *testing.B) {
	rec := synthetic(5000)
	rec.Leads = rec.Leads[:12]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(rec); err != nil {
			b.Fatal(err)
		}
	}
}
