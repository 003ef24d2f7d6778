// Package share is the host of a telehealth share (docs/telehealth.md): it
// makes the session id and the host key, connects out to a relay, admits
// the viewers the clinician lets in, and streams the monitor's waves,
// numerics, alarms and the stethoscope sealed end to end.
//
// Publish is fed from the hub and never blocks. A ticker seals one wave
// frame and one audio frame every Period and a state frame on change; an
// outbound queue drops the oldest wave frames first when the link to the
// relay is slow. Callbacks run on the share's own goroutine, in order,
// never on the caller's.
//
// Every viewer connection knocks with a fresh key and is admitted anew:
// wire refuses a viewer key that knocked before (so a replayed knock gets
// nowhere), and viewers do not survive a dropped relay link (the relay
// closes them with 4002 while the share dials again), so there is no
// automatic re-admission.
package share

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"telewave/devices"
	"telewave/sync/live/wire"
)

// Defaults and bounds.
const (
	DefaultExpires = 30 * time.Minute
	DefaultPeriod  = 40 * time.Millisecond // also the longest period allowed
	minPeriod      = 5 * time.Millisecond
	statePeriod    = 250 * time.Millisecond
	defaultQueue   = 64 // frames waiting for the relay link
)

// Config sets up a share.
type Config struct {
	// Relay is the base URL "http(s)://host:port" of the relay the host
	// connects out to (or the workstation's own LAN relay).
	Relay string
	// LinkBase is the base URL put in the invite when viewers reach the
	// relay by another name than the host does (a public name, a LAN
	// address); "" means Relay.
	LinkBase string
	Expires  time.Duration // invite lifetime; default 30 min
	Patient  wire.Patient
	Period   time.Duration // wave frame period; default and at most 40 ms
	// OnKnock hears a viewer knock; the UI answers with Admit or Deny
	// later. It must not block for long.
	OnKnock func(v Knocker)
	// OnMarker hears a marker an admitted viewer placed (the app records
	// and shows it); viewer is the name the viewer knocked with.
	OnMarker func(viewer string, m wire.Marker)
	// OnChange hears that viewers, knocks or the link changed.
	OnChange func(Status)
	// Audit records "share-start", "share-admit", "share-remove",
	// "share-deny" and "share-end" with a detail line; never payloads.
	Audit func(action, detail string)
	// Logf logs operations; it never sees viewer names or payloads.
	Logf func(format string, args ...any)
	// QueueFrames bounds the stream frames waiting for the relay link
	// (default 64, about 1.3 s of waves and audio).
	QueueFrames int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Knocker is a viewer that knocked and waits to be admitted.
type Knocker struct {
	ID     uint32 // the relay's viewer id, for Admit and Deny
	Name   string // as the viewer typed it; shown, never logged
	Client string // "browser" or "telewave"
}

// LinkState is the state of the host's link to the relay.
type LinkState int

// Link states.
const (
	Connecting LinkState = iota
	Connected
	Reconnecting
	Ended
)

var linkNames = [...]string{"connecting", "connected", "reconnecting", "ended"}

// String returns the state as a word.
func (l LinkState) String() string {
	if l < 0 || int(l) >= len(linkNames) {
		return fmt.Sprintf("link(%d)", int(l))
	}
	return linkNames[l]
}

// ViewerStatus is one viewer as the host sees it.
type ViewerStatus struct {
	ID       uint32
	Name     string
	Client   string
	Admitted bool
	Since    time.Time // when it knocked, or when it was admitted
}

// Status is a snapshot of the share.
type Status struct {
	Link      LinkState
	LinkError string // why the link last dropped
	Expires   time.Time
	Epoch     uint32
	Viewers   []ViewerStatus // knocking and admitted, by id
	Knocks    int            // viewers waiting to be admitted
	// Counters since Start.
	BytesSent     uint64 // envelopes written to the relay
	FramesSent    uint64
	FramesDropped uint64 // stream frames the outbound queue gave up
	ChunksDropped uint64 // chunks dropped before framing (a stalled ticker)
	BadKnocks     uint64 // knocks that did not open, replays, or after expiry
	BadFrames     uint64 // viewer frames refused (unadmitted, unopenable, over rate)
}

// Share is a running share. Its methods are safe for concurrent use.
type Share struct {
	cfg    Config
	invite wire.Invite
	now    func() time.Time
	period time.Duration

	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup // the link and the ticker
	out     *outQueue
	events  *eventQueue
	stream  *streamer

	mu      sync.Mutex // guards host and everything below
	host    *wire.Host
	viewers map[uint32]*viewer
	link    LinkState
	linkErr string

	bytesSent  atomic.Uint64
	framesSent atomic.Uint64
	badKnocks  atomic.Uint64
	badFrames  atomic.Uint64
	endOnce    sync.Once
}

// ErrConfig marks a Config that cannot start a share.
var ErrConfig = errors.New("share config")

// Start makes the session id and the host key, connects out to the relay
// and starts streaming. The share runs until End is called or ctx ends;
// End must be called either way to wait for it.
func Start(ctx context.Context, cfg Config) (*Share, error) {
	if err := normalize(&cfg); err != nil {
		return nil, err
	}
	sid, err := wire.NewSessionID()
	if err != nil {
		return nil, fmt.Errorf("start share: %w", err)
	}
	host, err := wire.NewHost(sid)
	if err != nil {
		return nil, fmt.Errorf("start share: %w", err)
	}
	now := cfg.Now()
	s := &Share{
		cfg:     cfg,
		invite:  wire.Invite{Base: cfg.LinkBase, Session: sid, HostKey: host.PublicKey(), Expires: now.Add(cfg.Expires).Truncate(time.Second)},
		now:     cfg.Now,
		period:  cfg.Period,
		out:     newOutQueue(cfg.QueueFrames),
		host:    host,
		viewers: map[uint32]*viewer{},
	}
	s.stream = newStreamer(now)
	s.ctx, s.cancel = context.WithCancel(ctx)
	conn, err := s.dial(s.ctx)
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("start share: %w", err)
	}
	s.events = startEventQueue()
	s.link = Connected
	s.audit("share-start", fmt.Sprintf("session %s, expires %s", shortSID(sid), s.invite.Expires.UTC().Format(time.RFC3339)))
	s.workers.Add(2)
	go func() { defer s.workers.Done(); s.serveLink(conn) }()
	go func() { defer s.workers.Done(); s.tick() }()
	return s, nil
}

func normalize(cfg *Config) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	u, err := url.Parse(cfg.Relay)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: relay %q: want http(s)://host:port", ErrConfig, cfg.Relay)
	}
	cfg.Relay = u.Scheme + "://" + u.Host
	if cfg.LinkBase == "" {
		cfg.LinkBase = cfg.Relay
	}
	if u, err := url.Parse(cfg.LinkBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: link base %q: want http(s)://host:port", ErrConfig, cfg.LinkBase)
	}
	if cfg.Expires <= 0 {
		cfg.Expires = DefaultExpires
	}
	if cfg.Period <= 0 || cfg.Period > DefaultPeriod {
		cfg.Period = DefaultPeriod
	}
	cfg.Period = max(cfg.Period, minPeriod)
	if cfg.QueueFrames <= 0 {
		cfg.QueueFrames = defaultQueue
	}
	return nil
}

// Invite returns the invite: the link's parts.
func (s *Share) Invite() wire.Invite { return s.invite }

// Link returns the invite link to paste into the visit's chat. Its key
// lives in the fragment, which no server receives.
func (s *Share) Link() string { return s.invite.Link() }

// End stops the share: the relay closes every viewer (4002), and End
// returns once every goroutine of the share has stopped and the last
// callback (the "share-end" audit) has run. Calling it again does nothing.
func (s *Share) End() {
	s.endOnce.Do(func() {
		s.cancel()
		s.workers.Wait()
		s.setLink(Ended, "")
		s.audit("share-end", fmt.Sprintf("session %s, %d frames sent", shortSID(s.invite.Session), s.framesSent.Load()))
		s.events.stop()
	})
}

// Status returns a snapshot of the share.
func (s *Share) Status() Status {
	s.mu.Lock()
	st := Status{Link: s.link, LinkError: s.linkErr, Expires: s.invite.Expires, Epoch: s.host.Epoch()}
	for _, v := range s.viewers {
		if !v.knocked {
			continue // connected, not yet heard from
		}
		st.Viewers = append(st.Viewers, v.status())
		if !v.admitted {
			st.Knocks++
		}
	}
	s.mu.Unlock()
	sortViewers(st.Viewers)
	st.BytesSent = s.bytesSent.Load()
	st.FramesSent = s.framesSent.Load()
	st.FramesDropped = s.out.droppedCount()
	st.ChunksDropped = s.stream.dropped.Load()
	st.BadKnocks = s.badKnocks.Load()
	st.BadFrames = s.badFrames.Load()
	return st
}

// Publish takes one message from the hub: *Signal, *Chunk, *Numeric and
// *Event are shared, anything else is ignored. It never blocks on the
// network; the message must not be changed afterwards (the hub's rule).
func (s *Share) Publish(device string, m devices.Message) {
	if s.ctx.Err() != nil {
		return // ended: nothing will frame it
	}
	s.stream.publish(device, m, s.now())
}

// SetAlarms replaces the list of current alarms; the viewers get it in
// the next state frame.
func (s *Share) SetAlarms(a []wire.AlarmRec) {
	s.stream.setAlarms(a)
}

func (s *Share) setLink(l LinkState, why string) {
	s.mu.Lock()
	changed := s.link != l || s.linkErr != why
	s.link, s.linkErr = l, why
	s.mu.Unlock()
	if changed {
		s.changed()
	}
}

func (s *Share) audit(action, detail string) {
	if s.cfg.Audit != nil {
		s.events.push(func() { s.cfg.Audit(action, detail) })
	}
}

// changed tells OnChange, once for any number of changes in a row.
func (s *Share) changed() {
	if s.cfg.OnChange != nil {
		s.events.pushCoalesced(func() { s.cfg.OnChange(s.Status()) })
	}
}

// shortSID is what logs and audits name a session by: enough to tell
// shares apart, too little to join one.
func shortSID(sid wire.SessionID) string { return sid.String()[:4] }
