package devicetest

import (
	"context"
	"io"
	"testing"

	"telewave/devices"
)

// byteDriver emits, for each byte it reads, a chunk of signal "a" or "b"
// (after the byte) holding that byte.
type byteDriver struct{}

func (byteDriver) Protocol() string   { return "bytes" }
func (byteDriver) Link() devices.Link { return devices.Link{} }

func (byteDriver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	buf := make([]byte, 1)
	for {
		if _, err := port.Read(buf); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		sig := "a"
		if buf[0] == 'b' {
			sig = "b"
		}
		emit(&devices.Chunk{Signal: sig, Samples: []int32{int32(buf[0])}})
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		wire  string
		until func([]devices.Message) bool
		want  string // the bytes of the chunks returned
	}{
		{name: "count", wire: "abab", until: Count[*devices.Chunk](3), want: "aba"},
		{name: "chunks of one signal", wire: "aabab", until: Chunks("b", 2), want: "aabab"},
		{name: "stops at first hold", wire: "aaaaaa", until: Chunks("a", 1), want: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := Run(t, Send([]byte(tt.wire)), byteDriver{}, tt.until)
			var got []byte
			for _, m := range msgs {
				got = append(got, byte(m.(*devices.Chunk).Samples[0]))
			}
			if string(got) != tt.want {
				t.Errorf("chunks %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUntil(t *testing.T) {
	msgs := []devices.Message{
		&devices.Chunk{Signal: "x"}, &devices.Numeric{}, &devices.Chunk{Signal: "y"}, &devices.Chunk{Signal: "x"},
	}
	tests := []struct {
		name  string
		until func([]devices.Message) bool
		want  bool
	}{
		{"3 chunks", Count[*devices.Chunk](3), true},
		{"4 chunks", Count[*devices.Chunk](4), false},
		{"1 numeric", Count[*devices.Numeric](1), true},
		{"2 x", Chunks("x", 2), true},
		{"2 y", Chunks("y", 2), false},
	}
	for _, tt := range tests {
		if got := tt.until(msgs); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
