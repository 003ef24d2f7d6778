package browser

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/assets"
	"telewave/devices"
	"telewave/sync/live/relay"
	"telewave/sync/live/share"
	"telewave/sync/live/wire"
)

// patient is whose monitor the rig shares.
var patient = wire.Patient{Name: "Zofia Quintero-Baptiste", MRN: "MRN-2024-118"}

// rig is a relay on 127.0.0.1 serving the viewer page, a share (the
// workstation's host) connected to it and the simulated monitor feeding
// the share. Knocks are admitted while admit is set.
type rig struct {
	t     testing.TB
	relay *relay.Relay
	srv   *httptest.Server
	share *share.Share
	mon   *monitor

	mu      sync.Mutex
	admit   bool
	knocks  []share.Knocker
	markers []wire.Marker
}

type rigOptions struct {
	noAdmit  bool
	relayNow func() time.Time // the relay's clock; time.Now when nil
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, admit: !o.noAdmit}
	r.relay = relay.New(relay.Config{ViewerPage: assets.Viewer, Now: o.relayNow})
	r.srv = httptest.NewServer(r.relay)
	t.Cleanup(r.srv.Close)
	t.Cleanup(r.relay.Close)
	s, err := share.Start(context.Background(), share.Config{
		Relay:   r.srv.URL,
		Patient: patient,
		OnKnock: func(k share.Knocker) {
			r.mu.Lock()
			r.knocks = append(r.knocks, k)
			admit := r.admit
			r.mu.Unlock()
			if admit {
				if err := r.share.Admit(k.ID); err != nil {
					t.Errorf("admit %d: %v", k.ID, err)
				}
			}
		},
		OnMarker: func(_ string, m wire.Marker) {
			r.mu.Lock()
			r.markers = append(r.markers, m)
			r.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatalf("start share: %v", err)
	}
	r.share = s
	t.Cleanup(s.End)
	r.mon = newMonitor(s)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.mon.run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	r.share.SetAlarms([]wire.AlarmRec{{ID: "spo2-low", Priority: devices.High, Text: "SpO2 LOW 84 < 90", Source: device, Flashing: true, Audible: true}})
	return r
}

// pageURL is the invite link with the viewer's name (which knocks at
// once) and, when wait > 0, how long the page waits to be admitted.
func pageURL(link, name string, wait int) string {
	base, frag, _ := strings.Cut(link, "#")
	q := url.Values{"name": {name}}
	if wait > 0 {
		q.Set("wait", fmt.Sprint(wait))
	}
	return base + "?" + q.Encode() + "#" + frag
}

func (r *rig) knockCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.knocks)
}

func (r *rig) markerList() []wire.Marker {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wire.Marker(nil), r.markers...)
}

// waitFor polls a JavaScript condition in the page until it is true.
func waitFor(tb testing.TB, ctx context.Context, what, cond string, within time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := evalErr[bool](ctx, `!!(`+cond+`)`, 10*time.Second)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			st, _ := evalErr[string](ctx, `JSON.stringify({state: window.telewave && telewave.state, stats: window.telewave && {...telewave.stats, latencies: telewave.stats.latencies.length}})`, 5*time.Second)
			tb.Fatalf("%s: not within %v (last error %v); page: %s", what, within, err, st)
		}
		<-tick.C
	}
}
