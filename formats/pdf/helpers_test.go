package pdf

import (
	"bytes"
	"compress/zlib"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"telewave/formats/carts"
	"telewave/formats/ecg12"
)

// sierraDemo is the Philips demo ECG kept in formats/sierra/testdata (MIT
// licence, see testdata/README.md), read through formats/carts as the
// workstation reads a cart file.
func sierraDemo(tb testing.TB) *ecg12.Record {
	tb.Helper()
	rec, _, err := carts.ReadFile(filepath.Join("..", "sierra", "testdata", "1_04_3191723_ZZDEMOPTONLY_1-04_orig.xml"))
	if err != nil {
		tb.Fatalf("read the Sierra demo ECG: %v", err)
	}
	return rec
}

// squareWave is a 12-lead record at 500 Hz whose every lead is a 1 mV
// square wave (0 for half a second, then 1 mV), 2.44 µV per count with a
// non-zero baseline, so that scale and baseline both matter.
func squareWave(seconds float64) *ecg12.Record {
	const rate, scale, base = 500, 2.44, 100
	n := int(seconds * rate)
	rec := &ecg12.Record{Format: "test", SampleRate: rate, Acquired: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC),
		Patient: ecg12.Patient{ID: "MRN-1", FamilyName: "Müller", GivenName: "Zoë", Sex: "F", BirthDate: time.Date(1950, 6, 1, 0, 0, 0, 0, time.UTC)}}
	for _, l := range ecg12.StandardOrder {
		s := make([]int32, n)
		for i := range s {
			s[i] = base
			if (i/(rate/2))%2 == 1 {
				s[i] = base + int32(math.Round(1000/scale))
			}
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: l, Samples: s, Scale: scale, Baseline: base})
	}
	return rec
}

// pdfObjects parses the cross-reference table the way a reader does
// (startxref → xref → offsets) and returns each object's text by number.
func pdfObjects(tb testing.TB, b []byte) (objs map[int][]byte, trailer string) {
	tb.Helper()
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		tb.Fatalf("no startxref at the end of the file")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(b) || !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		tb.Fatalf("startxref %d does not point at an xref table", xref)
	}
	rest := b[xref+len("xref\n0 "):]
	nl := bytes.IndexByte(rest, '\n')
	size, err := strconv.Atoi(string(rest[:nl]))
	if err != nil {
		tb.Fatalf("xref subsection count: %v", err)
	}
	table := rest[nl+1:]
	if len(table) < 20*size {
		tb.Fatalf("xref table cut short")
	}
	if string(table[:20]) != "0000000000 65535 f \n" {
		tb.Fatalf("xref entry 0 is %q", table[:20])
	}
	objs = map[int][]byte{}
	for n := 1; n < size; n++ {
		e := table[20*n : 20*n+20]
		if !regexp.MustCompile(`^\d{10} 00000 n \n$`).Match(e) {
			tb.Fatalf("xref entry %d is %q", n, e)
		}
		off, _ := strconv.Atoi(string(e[:10]))
		head := []byte(strconv.Itoa(n) + " 0 obj\n")
		if off >= len(b) || !bytes.HasPrefix(b[off:], head) {
			tb.Fatalf("xref says object %d is at %d, but %q is there", n, off, b[off:min(off+12, len(b))])
		}
		end := bytes.Index(b[off:], []byte("\nendobj\n"))
		if end < 0 {
			tb.Fatalf("object %d has no endobj", n)
		}
		objs[n] = b[off+len(head) : off+end]
	}
	tr := table[20*size:]
	if !bytes.HasPrefix(tr, []byte("trailer\n")) {
		tb.Fatalf("no trailer after the xref table")
	}
	trailer = string(tr[:bytes.Index(tr, []byte("startxref"))])
	if !regexp.MustCompile(`/Size ` + strconv.Itoa(size) + `\b`).MatchString(trailer) {
		tb.Fatalf("trailer %q does not say /Size %d", trailer, size)
	}
	return objs, trailer
}

// streamData checks a stream object's /Length against its bytes and
// returns them inflated.
func streamData(tb testing.TB, obj []byte) []byte {
	tb.Helper()
	m := regexp.MustCompile(`(?s)^<< /Length (\d+) /Filter /FlateDecode[^>]*>>\nstream\n(.*)\nendstream$`).FindSubmatch(obj)
	if m == nil {
		tb.Fatalf("not a Flate stream object: %.80q", obj)
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n != len(m[2]) {
		tb.Fatalf("stream /Length %d, but %d bytes between stream and endstream", n, len(m[2]))
	}
	zr, err := zlib.NewReader(bytes.NewReader(m[2]))
	if err != nil {
		tb.Fatalf("inflate: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("inflate: %v", err)
	}
	return out
}
