package share

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// Markers an admitted viewer may place: a burst of markerBurst, then
// markerRate a second. Beyond that its messages are dropped and counted.
const (
	markerRate  = 5
	markerBurst = 10
)

// ErrNoViewer is returned by Admit, Deny and Remove for a viewer id that
// is not (or no longer) knocking or admitted.
var ErrNoViewer = errors.New("no such viewer")

// viewer is one connection the relay told the host about.
type viewer struct {
	id       uint32
	knocked  bool // sent a knock that opened
	admitted bool
	name     string
	client   string
	guest    *wire.Guest
	since    time.Time
	tokens   float64
	refilled time.Time
}

func (v *viewer) status() ViewerStatus {
	return ViewerStatus{ID: v.id, Name: v.name, Client: v.client, Admitted: v.admitted, Since: v.since}
}

func sortViewers(vs []ViewerStatus) {
	slices.SortFunc(vs, func(a, b ViewerStatus) int { return int(int64(a.ID) - int64(b.ID)) })
}

// onJoined notes a viewer connection; it counts once it knocks.
func (s *Share) onJoined(id uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.viewers[id] = &viewer{id: id}
}

func (s *Share) onLeft(id uint32) {
	s.mu.Lock()
	v := s.viewers[id]
	delete(s.viewers, id)
	s.mu.Unlock()
	if v != nil && v.knocked {
		s.cfg.Logf("share %s: viewer %d left", shortSID(s.invite.Session), id)
		s.changed()
	}
}

// onFrame handles a frame a viewer sent: a knock, or a marker.
func (s *Share) onFrame(id uint32, frame []byte) {
	c, err := wire.FrameClass(frame)
	switch {
	case err != nil:
		s.badFrames.Add(1)
	case c == wire.ClassKnock:
		s.onKnock(id, frame)
	case c == wire.ClassViewer:
		s.onViewerMessage(id, frame)
	default:
		s.badFrames.Add(1)
	}
}

func (s *Share) onKnock(id uint32, frame []byte) {
	s.mu.Lock()
	v := s.viewers[id]
	if v == nil { // the relay announces every viewer before its frames
		v = &viewer{id: id}
		s.viewers[id] = v
	}
	if v.knocked {
		s.mu.Unlock()
		s.badKnocks.Add(1)
		return
	}
	// OpenKnock refuses a viewer key that knocked before (a replay), so
	// every connection knocks with a fresh key and is asked about anew.
	guest, k, err := s.host.OpenKnock(frame)
	if err != nil {
		s.mu.Unlock()
		s.badKnocks.Add(1) // silently: a knock that does not open says nothing
		return
	}
	now := s.now()
	if s.invite.Expired(now) {
		s.mu.Unlock()
		s.badKnocks.Add(1)
		s.audit("share-deny", fmt.Sprintf("viewer %d %q (%s): the invite has expired", id, k.Name, k.Client))
		return
	}
	v.knocked, v.name, v.client, v.guest, v.since = true, k.Name, k.Client, guest, now
	v.tokens, v.refilled = markerBurst, now
	s.mu.Unlock()
	s.cfg.Logf("share %s: viewer %d knocked", shortSID(s.invite.Session), id)
	if s.cfg.OnKnock != nil {
		kn := Knocker{ID: id, Name: k.Name, Client: k.Client}
		s.events.push(func() { s.cfg.OnKnock(kn) })
	}
	s.changed()
}

func (s *Share) onViewerMessage(id uint32, frame []byte) {
	s.mu.Lock()
	v := s.viewers[id]
	if v == nil || !v.admitted {
		s.mu.Unlock()
		s.badFrames.Add(1)
		return
	}
	msg, err := v.guest.Open(frame)
	if err != nil || !v.take(s.now()) {
		s.mu.Unlock()
		s.badFrames.Add(1)
		return
	}
	name := v.name
	s.mu.Unlock()
	if msg.Marker == nil {
		return
	}
	m := *msg.Marker // Open set By to the name the viewer knocked with
	s.stream.addMarker(m)
	if s.cfg.OnMarker != nil {
		s.events.push(func() { s.cfg.OnMarker(name, m) })
	}
}

// take spends a marker token, refilling at markerRate a second.
func (v *viewer) take(now time.Time) bool {
	v.tokens = min(markerBurst, v.tokens+now.Sub(v.refilled).Seconds()*markerRate)
	v.refilled = now
	if v.tokens < 1 {
		return false
	}
	v.tokens--
	return true
}

// Admit lets a knocking viewer in: it gets a grant (the stream key, the
// patient and a snapshot of the monitor) and from then on the stream.
func (s *Share) Admit(id uint32) error {
	s.mu.Lock()
	v := s.viewers[id]
	if v == nil || !v.knocked {
		s.mu.Unlock()
		return fmt.Errorf("admit viewer %d: %w", id, ErrNoViewer)
	}
	if v.admitted {
		s.mu.Unlock()
		return nil
	}
	err := s.admitLocked(v)
	name, client := v.name, v.client
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("admit viewer %d: %w", id, err)
	}
	s.audit("share-admit", fmt.Sprintf("viewer %d %q (%s)", id, name, client))
	s.changed()
	return nil
}

// admitLocked grants the current epoch to v and tells the relay to
// stream to it; the grant is queued first so that it arrives before any
// frame it opens.
func (s *Share) admitLocked(v *viewer) error {
	if err := s.grantLocked(v); err != nil {
		return err
	}
	s.sendControl(relay.OpAdmit, v.id, nil)
	v.admitted, v.since = true, s.now()
	return nil
}

func (s *Share) grantLocked(v *viewer) error {
	g := s.host.Grant(v.id, s.cfg.Patient, s.stream.snapshot(s.now()))
	frame, err := v.guest.SealGrant(g)
	if err != nil {
		return fmt.Errorf("seal grant: %w", err)
	}
	s.sendControl(relay.OpUnicast, v.id, frame)
	return nil
}

// Deny turns a knocking viewer away: the relay closes it (4001).
func (s *Share) Deny(id uint32) error {
	s.mu.Lock()
	v := s.viewers[id]
	if v == nil || !v.knocked {
		s.mu.Unlock()
		return fmt.Errorf("deny viewer %d: %w", id, ErrNoViewer)
	}
	if v.admitted {
		s.mu.Unlock()
		return s.Remove(id)
	}
	s.sendControl(relay.OpRemove, id, nil)
	delete(s.viewers, id)
	name, client := v.name, v.client
	s.mu.Unlock()
	s.audit("share-deny", fmt.Sprintf("viewer %d %q (%s)", id, name, client))
	s.changed()
	return nil
}

// Remove closes a viewer (the relay sends it 4001) and starts a new epoch:
// a fresh stream key is granted to the viewers that remain, so the removed
// one cannot read what follows even if it gets hold of the frames.
func (s *Share) Remove(id uint32) error {
	s.mu.Lock()
	v := s.viewers[id]
	if v == nil || !v.knocked {
		s.mu.Unlock()
		return fmt.Errorf("remove viewer %d: %w", id, ErrNoViewer)
	}
	if !v.admitted {
		s.mu.Unlock()
		return s.Deny(id)
	}
	s.sendControl(relay.OpRemove, id, nil)
	delete(s.viewers, id)
	var errs []error
	epoch, err := s.host.Rekey()
	if err != nil {
		errs = append(errs, fmt.Errorf("rekey: %w", err))
	}
	for _, o := range s.viewers {
		if o.admitted {
			if err := s.grantLocked(o); err != nil {
				errs = append(errs, fmt.Errorf("grant viewer %d: %w", o.id, err))
			}
		}
	}
	name, client := v.name, v.client
	s.mu.Unlock()
	s.audit("share-remove", fmt.Sprintf("viewer %d %q (%s); epoch %d", id, name, client, epoch))
	s.changed()
	if len(errs) > 0 {
		return fmt.Errorf("remove viewer %d: %w", id, errors.Join(errs...))
	}
	return nil
}

// anyAdmitted reports whether a stream frame would reach anyone.
func (s *Share) anyAdmittedLocked() bool {
	for _, v := range s.viewers {
		if v.admitted {
			return true
		}
	}
	return false
}
