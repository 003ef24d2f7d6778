package relay

import (
	"context"
	"testing"

	"github.com/coder/websocket"
)

// stalledViewer joins s and is admitted, then reads nothing until told:
// the relay's writes to it back up through the socket into its queue.
func stalledViewer(t *testing.T, s *share) *websocket.Conn {
	t.Helper()
	conn, err := dial(t, s.tr.url+"/live/"+s.sid+"/view")
	if err != nil {
		t.Fatal(err)
	}
	s.host.expect(OpJoined, 1)
	s.host.send(OpAdmit, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, msg, err := conn.Read(ctx); err != nil || len(msg) != 1 || msg[0] != OpAdmitted {
		t.Fatalf("admission: % x, %v", msg, err)
	}
	return conn
}

// received is what a viewer got, by class, as sequence numbers.
type received map[byte][]int

// readUntil reads conn until the wave frame with seq last arrives, or the
// relay closes it (its status is returned).
func readUntil(t *testing.T, conn *websocket.Conn, last int) (received, websocket.StatusCode) {
	t.Helper()
	got := received{}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return got, websocket.CloseStatus(err)
		}
		op, _, frame, err := ParseEnvelope(msg)
		if err != nil || op != OpFrame {
			t.Fatalf("op 0x%02x, %v", op, err)
		}
		seq := frameSeq(t, frame)
		got[frame[1]] = append(got[frame[1]], seq)
		if frame[1] == ClassWave && seq == last {
			return got, -1
		}
	}
}

func increasing(seqs []int) bool {
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			return false
		}
	}
	return true
}

func TestSlowViewerLosesOnlyOldWaves(t *testing.T) {
	s := openShare(t, Config{QueueFrames: 16}, 0, false)
	conn := stalledViewer(t, s)

	// Big wave frames until the relay has dropped some (the socket buffers
	// are full by then), with audio and state now and then; after that two
	// more of each and the newest wave. Fewer audio and state frames than
	// the queue holds, so nothing forces a close.
	const waveSize, maxWaves = 60 << 10, 3000
	var sent, audio, state, wave int
	side := func() {
		audio++
		s.host.send(OpBroadcast, 0, seqFrame(ClassAudio, audio, 300))
		state++
		s.host.send(OpBroadcast, 0, seqFrame(ClassState, state, 200))
		sent += 2
	}
	for wave < maxWaves && s.tr.Stats().FramesDropped < 20 {
		wave++
		s.host.send(OpBroadcast, 0, seqFrame(ClassWave, wave, waveSize))
		sent++
		if wave%100 == 0 && audio < 3 {
			side()
		}
	}
	if s.tr.Stats().FramesDropped == 0 {
		t.Fatalf("no drops after %d wave frames", wave)
	}
	side()
	side()
	wave++
	s.host.send(OpBroadcast, 0, seqFrame(ClassWave, wave, waveSize))
	sent++
	eventually(t, "relay took every frame", func() bool { return s.tr.Stats().FramesIn == uint64(sent) })

	t.Logf("%d wave frames of %d KiB sent, %d dropped by the relay", wave, waveSize>>10, s.tr.Stats().FramesDropped)
	got, status := readUntil(t, conn, wave)
	if status != -1 {
		t.Fatalf("closed with %d before the newest wave", status)
	}
	for class, n := range map[byte]int{ClassAudio: audio, ClassState: state} {
		if len(got[class]) != n || !increasing(got[class]) {
			t.Errorf("class %d: got %v, want 1…%d in order", class, got[class], n)
		}
	}
	waves := got[ClassWave]
	if !increasing(waves) || waves[len(waves)-1] != wave {
		t.Fatalf("waves out of order or without the newest (%d): %v", wave, waves)
	}
	if lost := uint64(wave - len(waves)); lost == 0 || lost != s.tr.Stats().FramesDropped {
		t.Errorf("lost %d waves, relay counted %d drops", lost, s.tr.Stats().FramesDropped)
	}
}

func TestViewerTooSlowForAudioIsClosed(t *testing.T) {
	s := openShare(t, Config{QueueFrames: 4}, 0, false)
	conn := stalledViewer(t, s)
	const maxFrames = 3000
	n := 0
	for n < maxFrames && s.tr.Stats().FramesDropped == 0 {
		n++
		s.host.send(OpBroadcast, 0, seqFrame(ClassAudio, n, 60<<10))
	}
	got, status := readUntil(t, conn, -1)
	if status != CloseOverLimit {
		t.Fatalf("closed with %d after %d frames, want %d", status, n, CloseOverLimit)
	}
	// What came before the close (maybe nothing: the burst can fill the
	// queue before the first write) is every frame from the first, no gap.
	a := got[ClassAudio]
	for i, seq := range a {
		if seq != i+1 {
			t.Fatalf("audio before the close: %v", a)
		}
	}
	if len(a) >= n {
		t.Fatalf("%d of %d audio frames before the close", len(a), n)
	}
	s.host.expect(OpLeft, 1)
}
