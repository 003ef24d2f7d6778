package devices

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// reads answers each Read with the next (bytes, error) pair.
type reads []struct {
	b   string
	err error
}

func (r *reads) Read(p []byte) (int, error) {
	next := (*r)[0]
	*r = (*r)[1:]
	return copy(p, next.b), next.err
}

var errNoDataTest = errors.New("no data yet")

func TestRefill(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		buf     string // unread bytes before the call
		read    reads
		want    string
		wantEOF bool
		wantErr error
	}{
		{name: "bytes", buf: "ab", read: reads{{"cd", nil}}, want: "abcd"},
		{name: "bytes and EOF", buf: "ab", read: reads{{"cd", io.EOF}}, want: "abcd", wantEOF: true},
		{name: "EOF", buf: "ab", read: reads{{"", io.EOF}}, want: "ab", wantEOF: true},
		{name: "timeout", buf: "ab", read: reads{{"", nil}}, want: "ab", wantErr: errNoDataTest},
		{name: "error", read: reads{{"", boom}}, want: "", wantErr: boom},
		{name: "bytes then error", read: reads{{"x", boom}}, want: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := make([]byte, 16)
			copy(store[10:], tt.buf) // a window that is not at the front
			eof := false
			got, err := Refill(&tt.read, store, store[10:10+len(tt.buf)], &eof, errNoDataTest, "thing")
			if string(got) != tt.want || eof != tt.wantEOF || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Refill = %q, eof %v, %v; want %q, eof %v, %v", got, eof, err, tt.want, tt.wantEOF, tt.wantErr)
			}
			if len(got) > 0 && &got[0] != &store[0] {
				t.Error("window not moved to the front of store")
			}
		})
	}
}

func TestRefillOneByteReader(t *testing.T) {
	store := make([]byte, 8)
	var buf []byte
	eof := false
	r := iotest.OneByteReader(bytes.NewReader([]byte("abc")))
	for !eof {
		var err error
		if buf, err = Refill(r, store, buf, &eof, errNoDataTest, "thing"); err != nil {
			t.Fatal(err)
		}
	}
	if string(buf) != "abc" {
		t.Errorf("read %q", buf)
	}
}

// frame3 accepts "S" + two bytes whose last is 'E'.
func frame3(b []byte) bool { return b[2] == 'E' }

func TestSyncFrame(t *testing.T) {
	tests := []struct {
		name, buf   string
		frame, rest string
		skipped     int
		none        bool
	}{
		{name: "frame first", buf: "SxESyE", frame: "SxE", rest: "SyE"},
		{name: "garbage first", buf: "abSxEz", frame: "SxE", rest: "z", skipped: 2},
		{name: "sync that was data", buf: "SSxE", frame: "SxE", rest: "", skipped: 1},
		{name: "broken frame", buf: "SxxSyE", frame: "SyE", rest: "", skipped: 3},
		{name: "partial", buf: "abSx", none: true, rest: "Sx", skipped: 2},
		{name: "no sync", buf: "abc", none: true, rest: "", skipped: 3},
		{name: "empty", none: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame, rest, skipped := SyncFrame([]byte(tt.buf), 'S', 3, frame3)
			if (frame == nil) != tt.none || string(frame) != tt.frame || string(rest) != tt.rest || skipped != tt.skipped {
				t.Errorf("SyncFrame = %q, %q, %d; want %q, %q, %d", frame, rest, skipped, tt.frame, tt.rest, tt.skipped)
			}
		})
	}
}

func FuzzSyncFrame(f *testing.F) {
	f.Add([]byte("abSxESyE"))
	f.Add([]byte("SSSSxE"))
	f.Fuzz(func(t *testing.T, buf []byte) {
		frame, rest, skipped := SyncFrame(buf, 'S', 3, frame3)
		if skipped < 0 || skipped+len(frame)+len(rest) != len(buf) {
			t.Fatalf("%d skipped + %d frame + %d rest != %d", skipped, len(frame), len(rest), len(buf))
		}
		if !bytes.HasSuffix(buf, rest) {
			t.Fatal("rest is not what follows")
		}
		if frame != nil && (len(frame) != 3 || frame[0] != 'S' || !frame3(frame)) {
			t.Fatalf("bad frame %q", frame)
		}
		if frame == nil && len(rest) >= 3 {
			t.Fatalf("no frame but %d bytes left", len(rest))
		}
	})
}
