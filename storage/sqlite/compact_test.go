package sqlite

import (
	"context"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage/seal"
)

// irregular makes chunks the way a live device gives them: jittered host
// times, a device clock, a gap, flag changes, odd lengths.
func irregular(sig devices.Signal, n int, t0 time.Time) []devices.Chunk {
	rng := rand.New(rand.NewSource(7))
	var out []devices.Chunk
	host, dev := t0, t0.Add(-3*time.Second)
	seq := uint64(0)
	for i := range n {
		c := secondOf(sig, seq, t0, 0)
		c.Samples = c.Samples[:len(c.Samples)-rng.Intn(3)]
		c.HostTime = host.Add(time.Duration(rng.Intn(2000)-1000) * time.Microsecond)
		if i%3 != 0 {
			c.DeviceTime = dev
		}
		if i == 5 {
			c.Flags = devices.GapBefore
			seq += 4
			c.Seq = seq
		}
		if i >= 8 && i < 11 {
			c.Flags |= devices.LeadOff
		}
		out = append(out, c)
		d := time.Duration(float64(len(c.Samples)) / sig.SampleRate * 1e9)
		host, dev = host.Add(d), dev.Add(d)
		seq++
	}
	return out
}

func TestCompactKeepsEveryChunkExactly(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	_, rec := startRecording(t, s, ecgII)
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	want := irregular(ecgII, 130, t0)
	if err := s.AppendChunks(ctx, rec.ID, want); err != nil {
		t.Fatal(err)
	}
	// A live recording: only whole 60-s blocks, the tail stays live.
	st, err := s.Compact(ctx, t0.Add(time.Hour), 60)
	if err != nil {
		t.Fatal(err)
	}
	if st.Blocks != 2 || count(t, s, `SELECT COUNT(*) FROM chunks`) == 0 {
		t.Fatalf("live compaction: %+v, %d chunks left", st, count(t, s, `SELECT COUNT(*) FROM chunks`))
	}
	check := func(when string) {
		t.Helper()
		got, err := s.Chunks(ctx, rec.ID, ecgII.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d chunks, want %d", when, len(got), len(want))
		}
		for i := range want {
			w, g := want[i], got[i]
			if !reflect.DeepEqual(w.Samples, g.Samples) || w.Seq != g.Seq || w.Flags != g.Flags ||
				!w.HostTime.Equal(g.HostTime) || !w.DeviceTime.Equal(g.DeviceTime) {
				t.Fatalf("%s: chunk %d = seq %d flags %d host %v dev %v n %d; want seq %d flags %d host %v dev %v n %d", when, i,
					g.Seq, g.Flags, g.HostTime, g.DeviceTime, len(g.Samples), w.Seq, w.Flags, w.HostTime, w.DeviceTime, len(w.Samples))
			}
		}
	}
	check("after live compaction")
	if err := s.StopRecording(ctx, rec.ID, t0.Add(200*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compact(ctx, t0.Add(time.Hour), 60); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM chunks`); n != 0 {
		t.Fatalf("%d live chunks left after the recording stopped", n)
	}
	check("after final compaction")
	s.Close()
	s = reopen(t, dir)
	check("reopened")
	rep, err := s.Verify(ctx)
	if err != nil || rep.Blocks != 3 || rep.Chunks != 0 {
		t.Fatalf("verify = %+v, %v", rep, err)
	}

	// Jump to a minute: only the chunks overlapping it come back.
	from, to := t0.Add(70*time.Second), t0.Add(80*time.Second)
	part, err := s.ChunksBetween(ctx, rec.ID, ecgII.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(part) < 10 || len(part) > 12 {
		t.Fatalf("ChunksBetween gave %d chunks", len(part))
	}
	for _, c := range part {
		if !c.HostTime.Before(to) || c.HostTime.Before(from.Add(-2*time.Second)) {
			t.Errorf("chunk at %v outside [%v, %v)", c.HostTime, from, to)
		}
	}

	// A flipped byte in a block is a tamper error naming the block.
	var payload []byte
	if err := s.db.QueryRow(`SELECT payload FROM blocks WHERE first_seq = 0`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	payload[40] ^= 1
	exec(t, s, `UPDATE blocks SET payload = ? WHERE first_seq = 0`, payload)
	_, err = s.Verify(ctx)
	if !errors.Is(err, seal.ErrTampered) || !strings.Contains(err.Error(), "block ") {
		t.Fatalf("verify after a flipped byte: %v", err)
	}
}

func FuzzDecodeBlock(f *testing.F) {
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	f.Add(encodeBlock(irregular(ecgII, 12, t0), ecgII.SampleRate))
	f.Add([]byte{blockVersion, 0, 0, 0, 0, 0, 0, 0x76, 0x40, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := decodeBlock(b, "x")
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, err := decodeBlock(encodeBlock(cs, 360), "x")
		if err != nil || len(again) != len(cs) {
			t.Fatalf("re-encoded block: %d chunks, %v", len(again), err)
		}
	})
}
