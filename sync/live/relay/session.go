package relay

import (
	"encoding/base64"
	"sync"
	"sync/atomic"
	"time"
)

// session is one share: its host and the viewers connected to it. It lives
// exactly as long as the host's connection.
type session struct {
	sid    string
	expiry time.Time // no new viewers after it
	host   *peer

	mu      sync.Mutex
	ended   bool
	nextID  uint32
	viewers map[uint32]*viewer
}

// viewer is a viewer's connection inside its session.
type viewer struct {
	*peer
	id       uint32
	admitted atomic.Bool // set under session.mu; read by the viewer's loop
}

// validSID reports whether sid is 16 bytes in base64url without padding.
func validSID(sid string) bool {
	if len(sid) != 22 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(sid)
	return err == nil && len(b) == 16
}

// join adds v with the next viewer id; false when the share has ended or
// is full.
func (s *session) join(v *viewer, limit int) (ok bool, full bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false, false
	}
	if len(s.viewers) >= limit {
		return false, true
	}
	s.nextID++
	v.id = s.nextID
	s.viewers[v.id] = v
	return true, false
}

// leave removes v; false when the share had already ended.
func (s *session) leave(v *viewer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.viewers, v.id)
	return !s.ended
}

// end closes every viewer with 4002; the share takes no more viewers.
func (s *session) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	for _, v := range s.viewers {
		v.closeWith(CloseShareEnded, "share ended")
	}
}

// broadcast queues msg (an OpFrame envelope) for every admitted viewer.
func (s *session) broadcast(r *Relay, it outItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.viewers {
		if v.admitted.Load() {
			v.deliver(r, it)
		}
	}
}

// unicast queues it for viewer id, admitted or not; unknown ids (a viewer
// that just left) are ignored.
func (s *session) unicast(r *Relay, id uint32, it outItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.viewers[id]; v != nil {
		v.deliver(r, it)
	}
}

// admit lets viewer id receive broadcasts and tells it so.
func (s *session) admit(r *Relay, id uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.viewers[id]
	if v == nil || v.admitted.Load() {
		return
	}
	// The admitted message goes first, then every broadcast after it.
	v.deliver(r, outItem{msg: []byte{OpAdmitted}})
	v.admitted.Store(true)
	r.logf("relay: %s admitted", v.tag)
}

// remove closes viewer id with 4001.
func (s *session) remove(id uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.viewers[id]; v != nil {
		v.closeWith(CloseRemoved, "removed by the host")
	}
}

// deliver queues it for v without blocking: the oldest wave frame makes
// room; a viewer whose queue holds no wave frame to drop is too slow.
func (v *viewer) deliver(r *Relay, it outItem) {
	switch v.out.push(it) {
	case pushedDrop:
		r.stats.dropped.Add(1)
	case pushFull:
		r.stats.dropped.Add(1)
		v.closeWith(CloseOverLimit, "viewer too slow")
	}
}
