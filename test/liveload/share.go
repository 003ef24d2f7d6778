package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"telewave/sync/live/relay"
)

// loadShare is one share under load: a host and its viewers, all admitted.
type loadShare struct {
	sid     string
	audio   bool
	host    *websocket.Conn
	joined  chan uint32 // viewer ids the relay announced to the host
	viewers []*loadViewer

	sent      [classes]uint64 // frames broadcast; final once stream returns
	sentTotal atomic.Uint64
}

// loadViewer is one viewer's connection and what it has checked.
type loadViewer struct {
	conn *websocket.Conn
	got  atomic.Uint64
	next [classes]uint64 // the seq expected next per class; owned by read
}

// openShare connects a host and n viewers and admits them.
func openShare(ctx context.Context, base string, audio bool, n int) (*loadShare, error) {
	raw := make([]byte, 16)
	rand.Read(raw)
	s := &loadShare{sid: base64.RawURLEncoding.EncodeToString(raw), audio: audio, joined: make(chan uint32, n+4)}
	url := fmt.Sprintf("%s/live/%s/host?x=%d", base, s.sid, time.Now().Add(time.Hour).Unix())
	host, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial host: %w", err)
	}
	s.host = host
	go s.readHost(ctx)
	for range n {
		v, err := s.join(ctx, base)
		if err != nil {
			s.close()
			return nil, err
		}
		s.viewers = append(s.viewers, v)
	}
	return s, nil
}

// readHost reads what the relay sends the host (joins, pings) until the
// connection ends.
func (s *loadShare) readHost(ctx context.Context) {
	for {
		_, msg, err := s.host.Read(ctx)
		if err != nil {
			return
		}
		if op, id, _, err := relay.ParseEnvelope(msg); err == nil && op == relay.OpJoined {
			select {
			case s.joined <- id:
			default:
			}
		}
	}
}

// join connects a viewer and has the host admit it. The relay may not have
// registered the host yet (4004): the viewer then tries again, at most 100
// times.
func (s *loadShare) join(ctx context.Context, base string) (*loadViewer, error) {
	for range 100 {
		conn, _, err := websocket.Dial(ctx, base+"/live/"+s.sid+"/view", nil)
		if err != nil {
			return nil, fmt.Errorf("dial viewer: %w", err)
		}
		first := make(chan error, 1)
		go func() {
			_, msg, err := conn.Read(ctx)
			if err == nil && (len(msg) != 1 || msg[0] != relay.OpAdmitted) {
				err = fmt.Errorf("first message % x, want admitted", msg)
			}
			first <- err
		}()
		select {
		case id := <-s.joined:
			if err := s.host.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, relay.OpAdmit, id, nil)); err != nil {
				conn.CloseNow()
				return nil, fmt.Errorf("admit viewer %d: %w", id, err)
			}
			if err := <-first; err != nil {
				conn.CloseNow()
				return nil, fmt.Errorf("viewer %d admission: %w", id, err)
			}
			return &loadViewer{conn: conn, next: [classes]uint64{1, 1, 1, 1}}, nil
		case err := <-first:
			conn.CloseNow()
			if websocket.CloseStatus(err) != relay.CloseNoShare {
				return nil, fmt.Errorf("viewer refused: %w", err)
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil, errors.New("viewer: the host never registered")
}

// stream sends ticks ticks of frames, the first at start, then one tick
// apart; late ticks (over a tick behind) are counted, not skipped.
func (s *loadShare) stream(ctx context.Context, start time.Time, ticks int, t *tally) error {
	frame := make([]byte, 0, audioSize)
	msg := make([]byte, 0, audioSize+1)
	var counter uint64
	send := func(class byte, size int) error {
		counter++
		s.sent[class]++
		frame = appendFrame(frame[:0], class, size, counter, s.sent[class])
		msg = relay.AppendEnvelope(msg[:0], relay.OpBroadcast, 0, frame)
		if err := s.host.Write(ctx, websocket.MessageBinary, msg); err != nil {
			return fmt.Errorf("host write: %w", err)
		}
		t.sent[class].Add(1)
		t.sentBytes[class].Add(uint64(size))
		s.sentTotal.Add(1)
		return nil
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for k := range ticks {
		due := start.Add(time.Duration(k) * tick)
		timer.Reset(time.Until(due))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		if time.Since(due) > tick {
			t.lateTicks.Add(1)
		}
		if err := send(relay.ClassWave, waveSize); err != nil {
			return err
		}
		if s.audio {
			if err := send(relay.ClassAudio, audioSize); err != nil {
				return err
			}
		}
		if k%stateEach == 0 {
			if err := send(relay.ClassState, stateSize); err != nil {
				return err
			}
		}
	}
	return nil
}

// read checks every frame v receives: in order per class, none missing;
// it ends when the connection does or after limit frames.
func (v *loadViewer) read(ctx context.Context, limit uint64, t *tally, lat *latency) {
	buf := make([]byte, 0, relay.MaxFrame+1)
	for v.got.Load() < limit {
		_, rd, err := v.conn.Reader(ctx)
		if err != nil {
			return
		}
		n, err := io.ReadFull(rd, buf[:cap(buf)])
		if err != io.ErrUnexpectedEOF && err != io.EOF {
			return
		}
		at := now()
		op, _, frame, err := relay.ParseEnvelope(buf[:n])
		if err != nil || op != relay.OpFrame {
			t.disordered.Add(1)
			continue
		}
		b, err := readBody(frame)
		if err != nil || b.class >= classes {
			t.disordered.Add(1)
			continue
		}
		switch want := v.next[b.class]; {
		case b.seq < want:
			t.disordered.Add(1)
		case b.seq > want:
			t.lost[b.class].Add(b.seq - want)
		}
		v.next[b.class] = b.seq + 1
		t.recv[b.class].Add(1)
		t.recvBytes[b.class].Add(uint64(len(frame)))
		lat.add(at - b.sent)
		v.got.Add(1)
	}
}

// close ends every connection of the share.
func (s *loadShare) close() {
	for _, v := range s.viewers {
		v.conn.CloseNow()
	}
	s.host.CloseNow()
}
