package sierra

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"telewave/formats/ecg12"
)

// A file cut anywhere is an error naming what was wrong, never a panic and
// never a partial record.
func TestTruncated(t *testing.T) {
	for _, f := range []string{file103, file104} {
		data := readFile(t, f)
		for cut := 0; cut < len(data); cut += 1 + len(data)/500 {
			rec, err := Decode(data[:cut])
			if err == nil || rec != nil {
				t.Fatalf("%s cut at %d: record %v, err %v", f, cut, rec != nil, err)
			}
			if !errors.Is(err, ecg12.ErrFormat) {
				t.Fatalf("%s cut at %d: %v does not wrap ErrFormat", f, cut, err)
			}
		}
	}
}

// Flipped bytes may land in a name and go unnoticed, but what decodes is
// still a valid record, and what does not is an error.
func TestByteFlips(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f := range []string{file103, file104} {
		data := readFile(t, f)
		failed := 0
		for range 300 {
			bad := append([]byte(nil), data...)
			for range 1 + rng.IntN(4) {
				bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			}
			rec, err := Decode(bad)
			switch {
			case err != nil && rec != nil:
				t.Fatalf("%s: a record with the error %v", f, err)
			case err != nil:
				failed++
				if !errors.Is(err, ecg12.ErrFormat) {
					t.Fatalf("%s: %v does not wrap ErrFormat", f, err)
				}
			default:
				if verr := rec.Validate(); verr != nil {
					t.Fatalf("%s: decoded an invalid record: %v", f, verr)
				}
			}
		}
		t.Logf("%s: %d of 300 damaged copies rejected", f, failed)
	}
}

// Damage inside the compressed waveforms: a corrupted Base64 character is
// caught by the decoder as a bad code, a wrong length or a sample out of
// range, or else yields leads of the right length.
func TestDamagedWaveform(t *testing.T) {
	data := readFile(t, file103)
	rec, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	n := len(rec.Leads[0].Samples)
	start := bytes.Index(data, []byte("<parsedwaveforms"))
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	rejected := 0
	for range 200 {
		bad := append([]byte(nil), data...)
		i := start + 200 + rng.IntN(20000)
		if bad[i] == '\n' || bad[i] == '\t' || bad[i] == '\r' {
			continue
		}
		bad[i] = alphabet[rng.IntN(len(alphabet))]
		got, err := Decode(bad)
		if err != nil {
			rejected++
			continue
		}
		if len(got.Leads) != 12 || len(got.Leads[0].Samples) > n+300 {
			t.Fatalf("damaged file gave %d leads × %d", len(got.Leads), len(got.Leads[0].Samples))
		}
	}
	t.Logf("%d of 200 damaged waveforms rejected", rejected)
}

func FuzzDecode(f *testing.F) {
	f.Add(readFile(f, file103))
	f.Add(readFile(f, file104))
	small := `<?xml version="1.0"?><restingecgdata><dataacquisition><signalcharacteristics><samplingrate>500</samplingrate>` +
		`<signalresolution>5</signalresolution></signalcharacteristics></dataacquisition><waveforms>` +
		`<parsedwaveforms compressmethod="XLI" dataencoding="Base64" durationperchannel="8">` +
		`</parsedwaveforms></waveforms></restingecgdata>`
	f.Add([]byte(small))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Decode(data)
		if err != nil {
			if rec != nil {
				t.Fatal("a record with an error")
			}
			return
		}
		if err := rec.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkDecode104(b *testing.B) {
	data := readFile(b, file104)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
