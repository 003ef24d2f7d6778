package relay

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
)

// hostReadLimit is the longest host message: op, viewer id, frame.
const hostReadLimit = 1 + 4 + MaxFrame

// serveHost is /live/<sid>/host?x=UNIX: the share's one host.
func (r *Relay) serveHost(w http.ResponseWriter, req *http.Request) {
	sid := req.PathValue("sid")
	if !validSID(sid) {
		http.Error(w, "bad session id", http.StatusBadRequest)
		return
	}
	x, err := strconv.ParseInt(req.URL.Query().Get("x"), 10, 64)
	if err != nil || x <= 0 {
		http.Error(w, "want x=<expiry, unix seconds>", http.StatusBadRequest)
		return
	}
	tag := "host " + shortSID(sid)
	ip, ok := r.acquireAddr(req)
	if !ok {
		r.refuse(w, req, CloseOverLimit, "too many connections from this address", tag)
		return
	}
	defer r.releaseAddr(ip)
	conn, ok := r.accept(w, req)
	if !ok {
		return
	}
	p := r.newPeer(conn, newOutbox(hostQueue, false), tag, hostReadLimit)
	s := &session{sid: sid, expiry: time.Unix(x, 0), host: p, viewers: map[uint32]*viewer{}}
	if code, reason := r.openSession(s); code != 0 {
		r.logf("relay: %s refused: %d %s", tag, code, reason)
		conn.Close(code, reason)
		return
	}
	if !r.track(p) {
		r.closeSession(s)
		conn.Close(CloseShuttingDown, "relay closing")
		return
	}
	r.logf("relay: %s connected", tag)
	p.run()
	r.hostLoop(s)
	r.closeSession(s)
	s.end()
	p.finish()
	r.untrack(p)
	r.logf("relay: %s gone", tag)
}

// openSession registers s under its sid; a non-zero code says why not.
func (r *Relay) openSession(s *session) (websocket.StatusCode, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return CloseShuttingDown, "relay closing"
	case r.sessions[s.sid] != nil:
		return CloseHostTaken, "a host is already connected"
	case len(r.sessions) >= r.cfg.MaxSessions:
		return CloseOverLimit, "too many shares"
	}
	r.sessions[s.sid] = s
	return 0, ""
}

func (r *Relay) closeSession(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessions[s.sid] == s {
		delete(r.sessions, s.sid)
	}
}

// lookup returns the share for sid, nil when no host is connected.
func (r *Relay) lookup(sid string) *session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[sid]
}

// hostLoop reads the host's messages until it goes or breaks a rule. It
// never blocks on a viewer: every delivery is a non-blocking push.
func (r *Relay) hostLoop(s *session) {
	p := s.host
	for {
		msg, err := p.read(hostReadLimit)
		switch {
		case errors.Is(err, errTooBig):
			p.closeWith(CloseOverLimit, "message too big")
			return
		case errors.Is(err, errNotBinary):
			p.closeWith(CloseBadEnvelope, "text message")
			return
		case err != nil:
			return
		}
		op, id, frame, err := ParseEnvelope(msg)
		if err != nil {
			r.logf("relay: %s: %v", p.tag, err)
			p.closeWith(envelopeCloseCode(err))
			return
		}
		switch op {
		case OpBroadcast, OpUnicast:
			r.stats.received(frame)
			it := outItem{msg: AppendEnvelope(make([]byte, 0, 1+len(frame)), OpFrame, 0, frame), class: frame[1], size: len(frame)}
			if op == OpBroadcast {
				s.broadcast(r, it)
			} else {
				s.unicast(r, id, it)
			}
		case OpAdmit:
			s.admit(r, id)
		case OpRemove:
			s.remove(id)
		default:
			r.logf("relay: %s: op 0x%02x is not a host's", p.tag, op)
			p.closeWith(CloseBadEnvelope, "not a host op")
			return
		}
	}
}

// toHost queues a message for s's host; a host that lets its queue fill
// is dropped, which ends the share.
func (r *Relay) toHost(s *session, it outItem) {
	if s.host.out.push(it) == pushFull {
		s.host.closeWith(CloseOverLimit, "host too slow")
	}
}

// envelopeCloseCode is the close for a message ParseEnvelope refused: an
// over-long frame is over a limit, anything else is no envelope.
func envelopeCloseCode(err error) (websocket.StatusCode, string) {
	if errors.Is(err, ErrFrameTooBig) {
		return CloseOverLimit, "frame too big"
	}
	return CloseBadEnvelope, "bad envelope"
}
