package share_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/share"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
)

// A viewer on a link thinner than the stream loses wave frames (its
// chunks arrive marked as after a gap) while the stethoscope's sound
// stays continuous: the relay drops the oldest waves first.
func TestSlowViewerLosesWavesNotAudio(t *testing.T) {
	r := newRig(t, rigOpts{smallBuffers: true})
	thin := newWSProxy(t, strings.TrimPrefix(r.srv.URL, "http://"), 40<<10, nil)
	link := strings.Replace(r.share.Link(), r.srv.URL, thin.URL(), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sess, err := view.Join(ctx, link, "Thin Link")
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	c := collect(sess)
	f := &feeder{pub: r.share.Publish, audio: true, bulk: true}
	f.start()
	eventually(t, "wave frames dropped for the slow viewer", 30*time.Second, func() bool {
		_, gaps := c.samples("bulk")
		return gaps > 0
	})
	heard := c.count("pcg")
	eventually(t, "2 s more of sound", 30*time.Second, func() bool { return c.count("pcg") >= heard+8000 })
	f.stop()
	if err := sess.Err(); err != nil {
		t.Fatalf("the slow viewer was closed: %v", err)
	}
	got, gaps := c.samples("pcg")
	want := f.samples("pcg")
	if gaps != 0 || len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
		t.Errorf("sound: %d samples with %d gaps; want a gapless prefix of the %d sent", len(got), gaps, len(want))
	}
	c.with(func(c *collector) {
		for i, ch := range c.chunks["pcg"] {
			if i > 0 && ch.Seq != c.chunks["pcg"][i-1].Seq+1 {
				t.Fatalf("sound chunk %d: seq %d after %d", i, ch.Seq, c.chunks["pcg"][i-1].Seq)
			}
		}
	})
	if st := r.relay.Stats(); st.FramesDropped == 0 {
		t.Errorf("relay stats %+v: no frames dropped", st)
	}
}

// A marker a viewer drops reaches the clinician (with the name the viewer
// knocked with, whatever it claims) and is echoed to every viewer.
func TestMarkerRoundTrip(t *testing.T) {
	r := newRig(t, rigOpts{})
	f := &feeder{pub: r.share.Publish}
	f.start()
	defer f.stop()
	a, ca := r.join("Dr. A")
	_, cb := r.join("Dr. B")
	m := wire.Marker{Time: time.Now().UnixMilli(), Device: "ecg", Signal: "ecg-ii", Note: "ST elevation here?", By: "Somebody Else"}
	if err := a.Mark(m); err != nil {
		t.Fatal(err)
	}
	want := m
	want.By = "Dr. A"
	eventually(t, "the clinician hears the marker", 10*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.marks) == 1
	})
	if r.marks[0] != want {
		t.Errorf("host got %+v, want %+v", r.marks[0], want)
	}
	for name, c := range map[string]*collector{"A": ca, "B": cb} {
		eventually(t, "the echo to "+name, 10*time.Second, func() bool {
			n := 0
			c.with(func(c *collector) { n = len(c.markers) })
			return n == 1
		})
		c.with(func(c *collector) {
			if c.markers[0] != want {
				t.Errorf("viewer %s got %+v, want %+v", name, c.markers[0], want)
			}
		})
	}
}

// When the host's link to the relay drops, the share dials again; its
// viewers were closed by the relay (4002) and come back by knocking.
func TestRelayLinkDropReconnects(t *testing.T) {
	r := newRig(t, rigOpts{proxy: true})
	f := &feeder{pub: r.share.Publish}
	f.start()
	defer f.stop()
	before, cb := r.join("Dr. Before")
	eventually(t, "the stream", 10*time.Second, func() bool { return cb.count("ecg-ii") > 100 })
	r.proxy.Cut("/host")
	<-cb.done
	if !errors.Is(before.Err(), view.ErrEnded) {
		t.Errorf("viewer of the dropped link: %v, want ErrEnded", before.Err())
	}
	eventually(t, "the link back", 20*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return slices.Contains(r.links, share.Reconnecting) && r.links[len(r.links)-1] == share.Connected
	})
	_, ca := r.join("Dr. After")
	eventually(t, "the stream after", 10*time.Second, func() bool { return ca.count("ecg-ii") > 100 })
	ca.with(func(c *collector) {
		if c.signals["ecg-ii"].Kind != devices.KindECG {
			t.Errorf("signals after the reconnect: %+v", c.signals)
		}
	})
	if st := r.share.Status(); len(st.Viewers) != 1 || st.Viewers[0].Name != "Dr. After" {
		t.Errorf("status %+v", st)
	}
}
