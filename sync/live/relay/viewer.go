package relay

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// viewerReadLimit is the longest viewer message: op and frame.
const viewerReadLimit = 1 + MaxFrame

// serveViewer is /live/<sid>/view: a viewer of the share, if there is one
// and its invite has not expired.
func (r *Relay) serveViewer(w http.ResponseWriter, req *http.Request) {
	sid := req.PathValue("sid")
	if !validSID(sid) {
		http.Error(w, "bad session id", http.StatusBadRequest)
		return
	}
	tag := "viewer " + shortSID(sid)
	ip, ok := r.acquireAddr(req)
	if !ok {
		r.refuse(w, req, CloseOverLimit, "too many connections from this address", tag)
		return
	}
	defer r.releaseAddr(ip)
	s := r.lookup(sid)
	switch {
	case s == nil:
		r.refuse(w, req, CloseNoShare, "no such share", tag)
		return
	case r.now().After(s.expiry):
		r.refuse(w, req, CloseExpired, "invite expired", tag)
		return
	}
	conn, ok := r.accept(w, req)
	if !ok {
		return
	}
	v := &viewer{peer: r.newPeer(conn, newOutbox(r.cfg.QueueFrames, true), tag, viewerReadLimit)}
	if ok, full := s.join(v, r.cfg.MaxViewersPerSession); !ok {
		code, reason := websocket.StatusCode(CloseNoShare), "no such share"
		if full {
			code, reason = CloseOverLimit, "too many viewers"
		}
		r.logf("relay: %s refused: %d %s", tag, code, reason)
		conn.Close(code, reason)
		return
	}
	r.stats.viewers.Add(1)
	defer r.stats.viewers.Add(-1)
	v.tag = fmt.Sprintf("%s#%d", tag, v.id)
	if !r.track(v.peer) {
		if s.leave(v) {
			r.toHost(s, outItem{msg: AppendEnvelope(nil, OpLeft, v.id, nil)})
		}
		conn.Close(CloseShuttingDown, "relay closing")
		return
	}
	r.logf("relay: %s connected", v.tag)
	v.run()
	r.toHost(s, outItem{msg: AppendEnvelope(nil, OpJoined, v.id, nil)})
	r.viewerLoop(s, v)
	if s.leave(v) {
		r.toHost(s, outItem{msg: AppendEnvelope(nil, OpLeft, v.id, nil)})
	}
	v.finish()
	r.untrack(v.peer)
	r.logf("relay: %s gone", v.tag)
}

// viewerLoop reads the viewer's frames for the host until it goes or
// breaks a limit: before admission at most 4 frames of at most 2 KiB,
// after it at most 20 frames in any second.
func (r *Relay) viewerLoop(s *session, v *viewer) {
	var knocks int
	var recent [viewerRate]time.Time // arrival times, a ring
	var next int
	for {
		admitted := v.admitted.Load()
		limit := viewerReadLimit
		if !admitted {
			limit = 1 + knockFrameBytes
		}
		msg, err := v.read(limit)
		switch {
		case errors.Is(err, errTooBig):
			v.closeWith(CloseOverLimit, "frame too big")
			return
		case errors.Is(err, errNotBinary):
			v.closeWith(CloseBadEnvelope, "text message")
			return
		case err != nil:
			return
		}
		op, _, frame, err := ParseEnvelope(msg)
		if err == nil && op != OpSend {
			err = fmt.Errorf("op 0x%02x is not a viewer's", op)
		}
		if err != nil {
			r.logf("relay: %s: %v", v.tag, err)
			v.closeWith(envelopeCloseCode(err))
			return
		}
		if !admitted {
			if knocks++; knocks > knockFrames {
				v.closeWith(CloseOverLimit, "too many frames before admission")
				return
			}
		} else {
			now := r.now()
			if t := recent[next]; !t.IsZero() && now.Sub(t) < time.Second {
				v.closeWith(CloseOverLimit, "over 20 frames a second")
				return
			}
			recent[next] = now
			next = (next + 1) % len(recent)
		}
		r.stats.received(frame)
		r.toHost(s, outItem{msg: AppendEnvelope(make([]byte, 0, 5+len(frame)), OpFrom, v.id, frame), class: frame[1], size: len(frame)})
	}
}
