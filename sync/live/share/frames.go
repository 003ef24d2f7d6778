package share

import (
	"encoding/json"
	"fmt"
	"time"

	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// maxPayload leaves room in a frame for its header (with no viewer key:
// stream frames carry none) and the GCM tag.
const maxPayload = wire.MaxFrame - 18 - 16

// tick frames what was published, every period, until the share ends.
func (s *Share) tick() {
	t := time.NewTicker(s.period)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if err := s.flush(s.now()); err != nil {
			s.cfg.Logf("share %s: %v", shortSID(s.invite.Session), err)
		}
	}
}

// flush seals one tick's frames: the state first (a new signal's
// definition before its chunks), then one wave frame and one audio frame
// (more only when a frame would pass 64 KiB). While nobody is admitted
// nothing is framed and what was published is forgotten; a new viewer
// starts from the snapshot in its grant.
func (s *Share) flush(now time.Time) error {
	// Deciding and taking under s.mu: a chunk published after Admit
	// returned is never forgotten as if nobody were admitted.
	s.mu.Lock()
	send := s.link == Connected && s.anyAdmittedLocked()
	t := s.stream.take(now, send)
	s.mu.Unlock()
	if !send {
		return nil
	}
	type payload struct {
		class wire.Class
		kind  int
		b     []byte
	}
	var ps []payload
	if t.state != nil {
		for _, st := range splitState(*t.state) {
			b, err := json.Marshal(st)
			if err != nil {
				return fmt.Errorf("encode state: %w", err)
			}
			if len(b) > maxPayload {
				return fmt.Errorf("state of %d bytes does not fit a frame", len(b))
			}
			ps = append(ps, payload{wire.ClassState, kindOther, b})
		}
	}
	for _, b := range packChunks(now, t.waves) {
		ps = append(ps, payload{wire.ClassWave, kindWave, b})
	}
	for _, b := range packChunks(now, t.audio) {
		ps = append(ps, payload{wire.ClassAudio, kindOther, b})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range ps {
		frame, err := s.host.SealStream(p.class, p.b)
		if err != nil {
			return fmt.Errorf("seal %v frame: %w", p.class, err)
		}
		s.out.push(outMsg{kind: p.kind, b: relay.AppendEnvelope(make([]byte, 0, 1+len(frame)), relay.OpBroadcast, 0, frame)})
	}
	return nil
}

// What one wave or audio payload may hold (wire.ReadWaves refuses more).
const (
	maxPayloadChunks  = 1024
	maxPayloadSamples = 1 << 16
)

// packChunks encodes chunks into as few payloads as fit a frame.
func packChunks(sent time.Time, cs []wire.WaveChunk) [][]byte {
	if len(cs) == 0 {
		return nil
	}
	n := 0
	for _, c := range cs {
		n += len(c.Samples)
	}
	var b []byte
	if len(cs) <= maxPayloadChunks && n <= maxPayloadSamples {
		b = wire.AppendWaves(nil, sent, cs)
	}
	if b != nil && len(b) <= maxPayload || len(cs) == 1 {
		if b == nil {
			b = wire.AppendWaves(nil, sent, cs)
		}
		// One chunk of at most maxPieceSamples always fits: wavecodec
		// spends at most about 5 bytes on a sample.
		return [][]byte{b}
	}
	half := len(cs) / 2
	return append(packChunks(sent, cs[:half]), packChunks(sent, cs[half:])...)
}

// splitState cuts a state too large for one frame by its numerics (the
// only part that can grow large); the rest rides in the first piece.
func splitState(st wire.State) []wire.State {
	if len(st.Numerics) <= 32 {
		return []wire.State{st}
	}
	b, err := json.Marshal(st)
	if err == nil && len(b) <= maxPayload {
		return []wire.State{st}
	}
	half := len(st.Numerics) / 2
	first, rest := st, wire.State{Time: st.Time, Numerics: st.Numerics[half:]}
	first.Numerics = st.Numerics[:half]
	return append(splitState(first), splitState(rest)...)
}
