package relay

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// Stats are the relay's counters since New: no sids, no payloads. Frames
// counts frames in envelopes that carry one (host broadcasts and unicasts,
// viewer sends in; their copies out); bytes are frame bytes by class
// (index 1 wave … 6 viewer message; 0 counts the envelopes without a frame
// going out: joins, leaves, admissions).
type Stats struct {
	Sessions      int    // hosts connected now
	Viewers       int    // viewers connected now
	FramesIn      uint64 // frames received from hosts and viewers
	FramesOut     uint64 // messages written to peers
	FramesDropped uint64 // wave frames dropped for slow viewers, and frames that closed one
	BytesIn       [MaxClass + 1]uint64
	BytesOut      [MaxClass + 1]uint64
}

// counters are the atomics behind Stats, bumped on the hot path.
type counters struct {
	viewers   atomic.Int64
	framesIn  atomic.Uint64
	framesOut atomic.Uint64
	dropped   atomic.Uint64
	bytesIn   [MaxClass + 1]atomic.Uint64
	bytesOut  [MaxClass + 1]atomic.Uint64
}

// received counts a frame that passed CheckFrame.
func (c *counters) received(frame []byte) {
	c.framesIn.Add(1)
	c.bytesIn[frame[1]].Add(uint64(len(frame)))
}

// sent counts a message written to a peer.
func (c *counters) sent(it outItem) {
	c.framesOut.Add(1)
	c.bytesOut[it.class].Add(uint64(it.size))
}

// Stats returns a snapshot of the counters.
func (r *Relay) Stats() Stats {
	r.mu.Lock()
	n := len(r.sessions)
	r.mu.Unlock()
	st := Stats{
		Sessions:      n,
		Viewers:       int(r.stats.viewers.Load()),
		FramesIn:      r.stats.framesIn.Load(),
		FramesOut:     r.stats.framesOut.Load(),
		FramesDropped: r.stats.dropped.Load(),
	}
	for i := range st.BytesIn {
		st.BytesIn[i] = r.stats.bytesIn[i].Load()
		st.BytesOut[i] = r.stats.bytesOut[i].Load()
	}
	return st
}

// classNames label the per-class byte counters in /metrics.
var classNames = [MaxClass + 1]string{"none", "wave", "audio", "state", "grant", "knock", "viewer"}

// serveMetrics writes Stats as Prometheus-style text.
func (r *Relay) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	st := r.Stats()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintf(w, "telewave_relay_sessions %d\n", st.Sessions)
	fmt.Fprintf(w, "telewave_relay_viewers %d\n", st.Viewers)
	fmt.Fprintf(w, "telewave_relay_frames_in_total %d\n", st.FramesIn)
	fmt.Fprintf(w, "telewave_relay_frames_out_total %d\n", st.FramesOut)
	fmt.Fprintf(w, "telewave_relay_frames_dropped_total %d\n", st.FramesDropped)
	for i, name := range classNames {
		fmt.Fprintf(w, "telewave_relay_bytes_in_total{class=%q} %d\n", name, st.BytesIn[i])
		fmt.Fprintf(w, "telewave_relay_bytes_out_total{class=%q} %d\n", name, st.BytesOut[i])
	}
}
