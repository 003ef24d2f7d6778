package wire

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func FuzzReadWaves(f *testing.F) {
	sent := time.UnixMilli(1_767_225_000_040)
	f.Add(AppendWaves(nil, sent, vectorWaveChunks(sent)))
	f.Add(AppendWaves(nil, sent, vectorAudioChunks(sent)))
	f.Add(AppendWaves(nil, sent, nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		s, chunks, err := ReadWaves(p)
		if err != nil {
			if !errors.Is(err, ErrFrame) {
				t.Fatalf("error %v is not ErrFrame", err)
			}
			return
		}
		n := 0
		for _, c := range chunks {
			n += len(c.Samples)
		}
		if len(chunks) > maxChunks || n > maxSamples {
			t.Fatalf("%d chunks, %d samples: over the bounds", len(chunks), n)
		}
		// What was read writes back to a payload that reads the same.
		s2, again, err := ReadWaves(AppendWaves(nil, s, chunks))
		if err != nil || !s2.Equal(s) || len(again) != len(chunks) {
			t.Fatalf("re-encoding: %v, %d chunks, want %d", err, len(again), len(chunks))
		}
		for i := range chunks {
			a, b := chunks[i], again[i]
			if a.Handle != b.Handle || a.Seq != b.Seq || !a.Time.Equal(b.Time) || a.Flags != b.Flags || !equalSamples(a.Samples, b.Samples) {
				t.Fatalf("chunk %d: %+v then %+v", i, a, b)
			}
		}
	})
}

func equalSamples(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzOpenStream feeds arbitrary frames to a viewer holding a fixed grant:
// only frames the host sealed may open, every failure is one of the
// package's errors, and a good frame still opens afterwards.
func FuzzOpenStream(f *testing.F) {
	h := testHost(f, "fuzz stream")
	sent := time.UnixMilli(1_767_225_000_040)
	seeds := [][]byte{
		mustSeal(f, h, ClassWave, AppendWaves(nil, sent, vectorWaveChunks(sent))),
		mustSeal(f, h, ClassState, []byte(`{"t":1}`)),
		mustSeal(f, h, ClassAudio, nil),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(make([]byte, headerLen+tagLen))
	f.Fuzz(func(t *testing.T, frame []byte) {
		v := testViewer(t, h, "fuzz")
		if err := v.install(h.Grant(1, Patient{}, State{})); err != nil {
			t.Fatal(err)
		}
		c, p, err := v.OpenStream(frame)
		if err == nil {
			// Only the seeds are authentic; anything else that opened
			// would be a forgery.
			if !isSeed(seeds, frame) {
				t.Fatalf("a frame the host never sealed opened as %v %x", c, p)
			}
			return
		}
		if !errors.Is(err, ErrFrame) && !errors.Is(err, ErrAuth) && !errors.Is(err, ErrReplay) {
			t.Fatalf("error %v is none of ErrFrame, ErrAuth, ErrReplay", err)
		}
	})
}

func isSeed(seeds [][]byte, frame []byte) bool {
	for _, s := range seeds {
		if bytes.Equal(s, frame) {
			return true
		}
	}
	return false
}

func FuzzParseInvite(f *testing.F) {
	h := testHost(f, "fuzz invite")
	f.Add(testInvite(h).Link())
	f.Add("http://127.0.0.1:9000/v/" + testSID.String() + "#p=" + b64.EncodeToString(h.PublicKey()) + "&x=1")
	f.Add("https://relay/v/x#p=&x=")
	f.Fuzz(func(t *testing.T, link string) {
		inv, err := ParseInvite(link)
		if err != nil {
			return
		}
		if len(inv.HostKey) != keyLen || inv.Expires.Unix() <= 0 {
			t.Fatalf("accepted %q with a %d-byte key, expiry %v", link, len(inv.HostKey), inv.Expires)
		}
		again, err := ParseInvite(inv.Link())
		if err != nil || again.Session != inv.Session || !bytes.Equal(again.HostKey, inv.HostKey) || !again.Expires.Equal(inv.Expires) || again.Base != inv.Base {
			t.Fatalf("%q parsed to %+v, whose link %q parses to %+v, %v", link, inv, inv.Link(), again, err)
		}
	})
}

// FuzzOpenKnock feeds arbitrary frames to a host: a knock opens only if a
// viewer sealed it, and nothing panics.
func FuzzOpenKnock(f *testing.F) {
	h := testHost(f, "fuzz knock")
	kf, err := testViewer(f, h, "fuzz").Knock(Knock{Name: "Dr Fuzz", Client: "browser"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(kf)
	f.Add(mustSeal(f, h, ClassWave, []byte("x")))
	f.Add(make([]byte, knockLen+tagLen))
	f.Fuzz(func(t *testing.T, frame []byte) {
		host := testHost(t, "fuzz knock") // fresh: no knock seen yet
		g, k, err := host.OpenKnock(frame)
		if err == nil {
			if !bytes.Equal(frame, kf) || k.Name != "Dr Fuzz" || g == nil {
				t.Fatalf("a frame no viewer sealed opened as %+v", k)
			}
			return
		}
		if !errors.Is(err, ErrFrame) && !errors.Is(err, ErrAuth) && !errors.Is(err, ErrReplay) {
			t.Fatalf("error %v is none of ErrFrame, ErrAuth, ErrReplay", err)
		}
	})
}
