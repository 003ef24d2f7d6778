// Package view is the Go viewer of a telehealth share (docs/telehealth.md),
// behind `telewave join`: it knocks with a name, waits for the host to
// admit it, then opens the sealed stream and hands out the same messages
// a device driver emits (signals, chunks, numerics, events) plus the
// host's alarm list.
//
// The session reads the relay only as fast as Messages is drained: a slow
// consumer makes the relay drop wave frames for it (never audio or state),
// and the chunks after a drop arrive marked GapBefore.
package view

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"telewave/devices"
	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// Message is one message of the shared monitor and the device slot it
// came from: *devices.Signal, *devices.Chunk, *devices.Numeric,
// *devices.Event, *Alarms or *Marker.
type Message struct {
	Device string
	Msg    devices.Message
}

// Why a session could not start or ended.
var (
	ErrExpired   = errors.New("the invite has expired")
	ErrNoShare   = errors.New("no such share: it has ended or the link is wrong")
	ErrDenied    = errors.New("the host did not admit this viewer")
	ErrRemoved   = errors.New("the host removed this viewer")
	ErrEnded     = errors.New("the host ended the share")
	ErrOverLimit = errors.New("the relay refused: over a limit, or this viewer fell too far behind")
	ErrNoAnswer  = errors.New("the host did not answer the knock in time")
)

// Defaults.
const (
	DefaultAdmitWait = 5 * time.Minute
	defaultBuffer    = 256
	dialTimeout      = 15 * time.Second
	writeTimeout     = 10 * time.Second
	readLimit        = 1 + wire.MaxFrame
	noShareRetry     = 3 * time.Second
)

// Options tune JoinWith; the zero value is what Join uses.
type Options struct {
	Name   string // shown to the clinician; required
	Client string // default "telewave"
	// AdmitWait bounds the wait for the host to admit (DefaultAdmitWait);
	// ctx may end it sooner.
	AdmitWait time.Duration
	Buffer    int          // messages waiting in Messages (default 256)
	HTTP      *http.Client // for the WebSocket dial (default: http.DefaultClient)
}

// Session is an admitted viewer's stream. Its methods are safe for
// concurrent use.
type Session struct {
	inv     wire.Invite
	v       *wire.Viewer
	conn    *websocket.Conn
	patient wire.Patient
	msgs    chan Message
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	dec     *decoder // the reader goroutine's

	mu      sync.Mutex
	err     error
	closing bool

	frames, bad, replays atomic.Uint64
	gaps, unknown        atomic.Uint64
}

// Stats counts what the session received.
type Stats struct {
	Frames  uint64 // stream frames opened
	Bad     uint64 // frames that did not open or decode (dropped)
	Replays uint64 // replayed or reordered frames (dropped)
	Gaps    uint64 // chunks that did not follow their signal's last one
	Unknown uint64 // chunks of a signal not yet described (dropped)
}

// Join knocks on the share of link as name and waits until the host
// admits it (or ctx ends, or DefaultAdmitWait passes).
func Join(ctx context.Context, link string, name string) (*Session, error) {
	return JoinWith(ctx, link, Options{Name: name})
}

// JoinWith is Join with options.
func JoinWith(ctx context.Context, link string, opt Options) (*Session, error) {
	inv, err := wire.ParseInvite(link)
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	if opt.Client == "" {
		opt.Client = "telewave"
	}
	if opt.AdmitWait <= 0 {
		opt.AdmitWait = DefaultAdmitWait
	}
	if opt.Buffer <= 0 {
		opt.Buffer = defaultBuffer
	}
	knock := wire.Knock{Name: opt.Name, Client: opt.Client}
	if err := knock.Validate(); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	v, err := wire.NewViewer(inv)
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	// A share that has just started may not be registered at the relay
	// yet (it answers the host's upgrade a moment before): "no such
	// share" is tried again for a little while.
	deadline := time.Now().Add(noShareRetry)
	for {
		sess, err := join(ctx, inv, v, knock, opt)
		if !errors.Is(err, ErrNoShare) || time.Now().After(deadline) {
			return sess, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("join: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func join(ctx context.Context, inv wire.Invite, v *wire.Viewer, knock wire.Knock, opt Options) (*Session, error) {
	frame, err := v.Knock(knock)
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	conn, resp, err := websocket.Dial(dctx, inv.ViewerURL(), &websocket.DialOptions{HTTPClient: opt.HTTP})
	cancel()
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("join: connect to %s: %w", inv.Base, err)
	}
	conn.SetReadLimit(readLimit)
	s := &Session{inv: inv, v: v, conn: conn, msgs: make(chan Message, opt.Buffer), done: make(chan struct{}), dec: newDecoder()}
	first, err := s.knock(ctx, frame, opt.AdmitWait)
	if err != nil {
		conn.Close(websocket.StatusNormalClosure, "")
		return nil, fmt.Errorf("join: %w", err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.run(first)
	return s, nil
}

// knock sends the knock and reads until both the grant and the relay's
// "admitted" came; it returns the snapshot's messages.
func (s *Session) knock(ctx context.Context, frame []byte, wait time.Duration) ([]Message, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, relay.OpSend, 0, frame)); err != nil {
		return nil, closeReason(err, false)
	}
	var first []Message
	granted, admitted := false, false
	for !granted || !admitted {
		_, msg, err := s.conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ErrNoAnswer
			}
			return nil, closeReason(err, false)
		}
		op, _, frame, err := relay.ParseEnvelope(msg)
		switch {
		case err != nil:
			s.bad.Add(1)
		case op == relay.OpAdmitted:
			admitted = true
		case op == relay.OpFrame && frame[1] == byte(wire.ClassGrant):
			g, err := s.v.OpenGrant(frame)
			if err != nil {
				s.bad.Add(1)
				continue
			}
			if !granted {
				s.patient = g.Patient
				first = s.dec.state(g.State)
			}
			granted = true
		case op == relay.OpFrame:
			first = append(first, s.handle(frame)...)
		}
	}
	return first, nil
}

// closeReason says why the relay closed the connection.
func closeReason(err error, admitted bool) error {
	switch websocket.CloseStatus(err) {
	case relay.CloseExpired:
		return ErrExpired
	case relay.CloseNoShare:
		return ErrNoShare
	case relay.CloseRemoved:
		if admitted {
			return ErrRemoved
		}
		return ErrDenied
	case relay.CloseShareEnded:
		return ErrEnded
	case relay.CloseOverLimit:
		return ErrOverLimit
	}
	return fmt.Errorf("relay link: %w", err)
}

// run reads the stream until the connection ends, handing each message to
// Messages; it blocks (and so stops reading the relay) while Messages is
// full.
func (s *Session) run(first []Message) {
	defer close(s.done)
	defer close(s.msgs)
	if !s.emit(first) {
		return
	}
	for {
		_, msg, err := s.conn.Read(s.ctx)
		if err != nil {
			s.finish(err)
			return
		}
		op, _, frame, err := relay.ParseEnvelope(msg)
		if err != nil || op != relay.OpFrame {
			s.bad.Add(1)
			continue
		}
		if !s.emit(s.handle(frame)) {
			return
		}
	}
}

func (s *Session) emit(ms []Message) bool {
	for _, m := range ms {
		select {
		case s.msgs <- m:
		case <-s.ctx.Done():
			return false
		}
	}
	return true
}

// handle opens one frame from the host: a grant (a new epoch after a
// removal) or a stream frame. Frames that do not open are counted and
// dropped.
func (s *Session) handle(frame []byte) []Message {
	if wire.Class(frame[1]) == wire.ClassGrant {
		g, err := s.v.OpenGrant(frame)
		if err != nil {
			s.count(err)
			return nil
		}
		return s.dec.state(g.State)
	}
	c, p, err := s.v.OpenStream(frame)
	if err != nil {
		s.count(err)
		return nil
	}
	s.frames.Add(1)
	var ms []Message
	if c == wire.ClassState {
		var st wire.State
		if err := json.Unmarshal(p, &st); err != nil {
			s.bad.Add(1)
			return nil
		}
		ms = s.dec.state(st)
	} else {
		ms, err = s.dec.waves(p)
		if err != nil {
			s.bad.Add(1)
			return nil
		}
	}
	s.gaps.Store(s.dec.gaps)
	s.unknown.Store(s.dec.unknown)
	return ms
}

func (s *Session) count(err error) {
	if errors.Is(err, wire.ErrReplay) {
		s.replays.Add(1)
	} else {
		s.bad.Add(1)
	}
}

func (s *Session) finish(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || s.ctx.Err() != nil {
		return
	}
	s.err = closeReason(err, true)
}

// Messages is the stream of the shared monitor, closed when the session
// ends (see Err).
func (s *Session) Messages() <-chan Message { return s.msgs }

// Patient is whom the share is about, from the grant.
func (s *Session) Patient() wire.Patient { return s.patient }

// Invite is the invite the session joined by.
func (s *Session) Invite() wire.Invite { return s.inv }

// Mark sends the host a marker (time in unix ms, device slot, signal id,
// note); the host shows it to the clinician and echoes it to every viewer.
func (s *Session) Mark(m wire.Marker) error {
	frame, err := s.v.Seal(wire.ViewerMessage{Marker: &m})
	if err != nil {
		return fmt.Errorf("mark: %w", err)
	}
	ctx, cancel := context.WithTimeout(s.ctx, writeTimeout)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageBinary, relay.AppendEnvelope(nil, relay.OpSend, 0, frame)); err != nil {
		return fmt.Errorf("mark: %w", err)
	}
	return nil
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	return Stats{Frames: s.frames.Load(), Bad: s.bad.Load(), Replays: s.replays.Load(),
		Gaps: s.gaps.Load(), Unknown: s.unknown.Load()}
}

// Err says why the session ended: nil while it runs or after Close,
// ErrRemoved, ErrEnded, ErrOverLimit or a link error otherwise.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close leaves the share and waits for the reader to stop; Messages is
// closed when it returns.
func (s *Session) Close() error {
	s.mu.Lock()
	already := s.closing
	s.closing = true
	s.mu.Unlock()
	if already {
		<-s.done
		return nil
	}
	// The close handshake is bounded by the library (5 s); its error only
	// says the relay had gone first.
	s.conn.Close(websocket.StatusNormalClosure, "viewer left")
	s.cancel()
	<-s.done
	return nil
}
