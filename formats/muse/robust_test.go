package muse

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

// cuts checks that the data cut at about places places, and at each of
// its last 200 bytes, is an error.
func cuts(t *testing.T, data []byte, places int) {
	end := len(bytes.TrimRight(data, " \r\n\t"))
	for n := 0; n < end; n += max(1, min(end/places, end-200-n)) {
		if checkDecode(t, data[:n]) == nil {
			t.Fatalf("cut at %d of %d bytes decoded without error", n, len(data))
		}
	}
}

func TestTruncated(t *testing.T) { cuts(t, readTestdata(t, "synthetic.xml"), 1000) }

func TestTruncatedMuseSinus(t *testing.T) { cuts(t, readShared(t, museSinus), 300) }

// Random byte changes must never panic or yield an invalid record; a
// change in the waveforms fails the CRC, so most are rejected.
func TestByteFlips(t *testing.T) {
	src := readTestdata(t, "synthetic.xml")
	r := rand.New(rand.NewPCG(4, 88))
	failed := 0
	const trials = 2000
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
	if failed < trials/2 {
		t.Errorf("only %d of %d corrupted files rejected", failed, trials)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(readTestdata(f, "synthetic.xml"))
	if p, err := sharedPath(museSinus); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(museXML(leadXML("I", 4.88, "MICROVOLTS", []int16{1, -2}), leadXML("II", 4.88, "MICROVOLTS", []int16{3, 4})))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// BenchmarkDecode reads a 10 s, 500 Hz MUSE export: 8 stored leads, the
// median and the measurements (the synthetic file's header with a longer
// rhythm).
func BenchmarkDecode(b *testing.B) {
	samples := make([]int16, 5000)
	for k := range samples {
		samples[k] = int16(k%401 - 200)
	}
	var leads []string
	for _, id := range storedLeads {
		leads = append(leads, leadXML(id, 4.88, "MICROVOLTS", samples))
	}
	data := museXML(leads...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
