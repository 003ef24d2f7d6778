package wire

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestOpenStreamRejects(t *testing.T) {
	h := testHost(t, "sec")
	v := testViewer(t, h, "sec")
	admit(t, h, v, 1)
	other := testHost(t, "other") // same sid, another stream key
	ov := testViewer(t, other, "other")
	admit(t, other, ov, 1)

	// mutate returns a fresh frame changed by f; frames are sealed in
	// order, so every case sees a counter above the last accepted.
	frame := func() []byte { return mustSeal(t, h, ClassWave, []byte("payload of samples")) }
	flip := func(i int) func([]byte) []byte {
		return func(f []byte) []byte { f[i] ^= 0x01; return f }
	}
	tests := []struct {
		name string
		make func() []byte
		want error
	}{
		{"wrong stream key", func() []byte { return mustSeal(t, other, ClassWave, []byte("x")) }, ErrAuth},
		{"class wave→audio", func() []byte { f := frame(); f[offClass] = byte(ClassAudio); return f }, ErrAuth},
		{"class wave→state", func() []byte { f := frame(); f[offClass] = byte(ClassState); return f }, ErrAuth},
		{"class wave→grant", func() []byte { f := frame(); f[offClass] = byte(ClassGrant); return f }, ErrFrame},
		{"epoch to an ungranted one", func() []byte { f := frame(); f[offEpoch+3] = 9; return f }, ErrAuth},
		{"epoch zero", func() []byte { f := frame(); f[offEpoch+3] = 0; return f }, ErrFrame},
		{"counter raised", func() []byte { f := frame(); f[offNonce+4] ^= 0x40; return f }, ErrAuth},
		{"sender", func() []byte { f := frame(); f[offNonce+3] = 2; return f }, ErrFrame},
		{"ciphertext", func() []byte { return flip(headerLen + 2)(frame()) }, ErrAuth},
		{"tag", func() []byte { f := frame(); return flip(len(f) - 1)(f) }, ErrAuth},
		{"truncated", func() []byte { f := frame(); return f[:len(f)-1] }, ErrAuth},
		{"too short", func() []byte { return frame()[:headerLen+tagLen-1] }, ErrFrame},
		{"version", func() []byte { f := frame(); f[0] = 2; return f }, ErrFrame},
		{"unknown class", func() []byte { f := frame(); f[offClass] = 9; return f }, ErrFrame},
		{"too long", func() []byte { return make([]byte, MaxFrame+1) }, ErrFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := v.OpenStream(tt.make()); !errors.Is(err, tt.want) {
				t.Errorf("OpenStream = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("another session", func(t *testing.T) {
		// A viewer of another sid holding the same stream key: the sid is
		// in the associated data.
		sid2 := testSID
		sid2[0] ^= 1
		inv := testInvite(h)
		inv.Session = sid2
		v2, err := newViewer(inv, fixedKey(t, "viewer sid2"))
		if err != nil {
			t.Fatal(err)
		}
		g := h.Grant(1, Patient{}, State{})
		if err := v2.install(g); err != nil {
			t.Fatal(err)
		}
		if _, _, err := v2.OpenStream(frame()); !errors.Is(err, ErrAuth) {
			t.Errorf("frame moved to another sid: %v, want ErrAuth", err)
		}
	})
	t.Run("still opens after rejections", func(t *testing.T) {
		if _, _, err := v.OpenStream(frame()); err != nil {
			t.Errorf("a good frame after the rejected ones: %v", err)
		}
	})
}

func TestReplayAndOrder(t *testing.T) {
	h := testHost(t, "replay")
	v := testViewer(t, h, "replay")
	admit(t, h, v, 1)
	f := make([][]byte, 6)
	for i := range f {
		f[i] = mustSeal(t, h, ClassWave, []byte{byte(i)})
	}
	tests := []struct {
		frame int
		want  error
	}{
		{0, nil},
		{0, ErrReplay}, // replay
		{2, nil},       // 1 dropped by the relay: a gap is fine
		{1, ErrReplay}, // reordered
		{5, nil},       // a larger gap
		{3, ErrReplay},
		{5, ErrReplay},
	}
	for i, tt := range tests {
		_, p, err := v.OpenStream(f[tt.frame])
		if !errors.Is(err, tt.want) || (err == nil && p[0] != byte(tt.frame)) {
			t.Errorf("step %d: frame %d: %v, want %v", i, tt.frame, err, tt.want)
		}
	}
}

func TestGrantAndMessageReplay(t *testing.T) {
	h := testHost(t, "gm")
	v := testViewer(t, h, "gm")
	kf, _ := v.Knock(Knock{Name: "A"})
	g, _, err := h.OpenKnock(kf)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.OpenKnock(kf); !errors.Is(err, ErrReplay) {
		t.Errorf("replayed knock: %v, want ErrReplay", err)
	}
	// The same viewer reconnects and knocks again: a newer counter opens.
	again, _ := v.Knock(Knock{Name: "A"})
	if _, _, err := h.OpenKnock(again); err != nil {
		t.Errorf("a second knock with the same key: %v", err)
	}
	if _, _, err := h.OpenKnock(kf); !errors.Is(err, ErrReplay) {
		t.Errorf("the first knock replayed after the second: %v, want ErrReplay", err)
	}
	gf, _ := g.SealGrant(h.Grant(1, Patient{}, State{}))
	if _, err := v.OpenGrant(gf); err != nil {
		t.Fatal(err)
	}
	if _, err := v.OpenGrant(gf); !errors.Is(err, ErrReplay) {
		t.Errorf("replayed grant: %v, want ErrReplay", err)
	}
	m1, _ := v.Seal(ViewerMessage{Marker: &Marker{Time: 1}})
	m2, _ := v.Seal(ViewerMessage{Marker: &Marker{Time: 2}})
	if _, err := g.Open(m2); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Open(m1); !errors.Is(err, ErrReplay) {
		t.Errorf("reordered marker: %v, want ErrReplay", err)
	}
	if _, err := g.Open(kf); !errors.Is(err, ErrFrame) {
		t.Errorf("a knock given to Guest.Open: %v, want ErrFrame", err)
	}
	// Another viewer's marker does not open with this guest's key.
	v2 := testViewer(t, h, "gm2")
	admit(t, h, v2, 2)
	m3, _ := v2.Seal(ViewerMessage{Marker: &Marker{Time: 3}})
	binary.BigEndian.PutUint64(m3[offNonce+4:], 99)
	if _, err := g.Open(m3); !errors.Is(err, ErrAuth) {
		t.Errorf("another viewer's marker: %v, want ErrAuth", err)
	}
	// A grant for another viewer does not open here.
	other := testViewer(t, h, "gm3")
	if _, err := other.OpenGrant(gf); !errors.Is(err, ErrAuth) {
		t.Errorf("someone else's grant: %v, want ErrAuth", err)
	}
}

func TestKnockRejects(t *testing.T) {
	h := testHost(t, "knock")
	stranger := testHost(t, "stranger") // another host key, same sid
	knockFrom := func(hostForInvite *Host, label string) []byte {
		f, err := testViewer(t, hostForInvite, label).Knock(Knock{Name: "Dr B"})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"invite of another host", knockFrom(stranger, "k1"), ErrAuth},
		{"viewer key changed", func() []byte {
			f := knockFrom(h, "k2")
			copy(f[headerLen:knockLen], testViewer(t, h, "k3").PublicKey())
			return f
		}(), ErrAuth},
		{"viewer key off the curve", func() []byte { f := knockFrom(h, "k4"); f[headerLen+10] ^= 1; return f }(), ErrFrame},
		{"stream frame", mustSeal(t, h, ClassWave, []byte("x")), ErrFrame},
		{"short knock", knockFrom(h, "k5")[:knockLen], ErrFrame},
		{"counter zero", func() []byte { f := knockFrom(h, "k6"); binary.BigEndian.PutUint64(f[offNonce+4:], 0); return f }(), ErrReplay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := h.OpenKnock(tt.frame); !errors.Is(err, tt.want) {
				t.Errorf("OpenKnock = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		h := testHost(t, "expiry")
		now := time.Unix(1000, 0)
		h.now = func() time.Time { return now }
		h.SetExpiry(time.Unix(2000, 0))
		if _, _, err := h.OpenKnock(knockFrom(h, "e1")); err != nil {
			t.Errorf("knock before the expiry: %v", err)
		}
		now = time.Unix(2000, 0)
		if _, _, err := h.OpenKnock(knockFrom(h, "e2")); !errors.Is(err, ErrExpired) {
			t.Errorf("knock at the expiry: %v, want ErrExpired", err)
		}
	})
}

func TestKnockValidation(t *testing.T) {
	v := testViewer(t, testHost(t, "kv"), "kv")
	long := make([]rune, 81)
	for i := range long {
		long[i] = 'é'
	}
	tests := []struct {
		name string
		k    Knock
		ok   bool
	}{
		{"plain", Knock{Name: "Dr A", Client: "browser"}, true},
		{"80 runes", Knock{Name: string(long[:80])}, true},
		{"81 runes", Knock{Name: string(long)}, false},
		{"empty", Knock{}, false},
		{"newline", Knock{Name: "a\nb"}, false},
		{"bidi override", Knock{Name: "a\u202eb"}, false},
		{"bad utf-8", Knock{Name: "a\xffb"}, false},
		{"long client", Knock{Name: "a", Client: string(long[:33])}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Knock(tt.k)
			if (err == nil) != tt.ok {
				t.Errorf("Knock(%q) = %v, want ok=%v", tt.k.Name, err, tt.ok)
			}
		})
	}
}

func TestRekey(t *testing.T) {
	h := testHost(t, "rekey")
	stay := testViewer(t, h, "stay")
	gone := testViewer(t, h, "gone")
	gStay := admit(t, h, stay, 1)
	admit(t, h, gone, 2)

	old1 := mustSeal(t, h, ClassWave, []byte("old 1"))
	old2 := mustSeal(t, h, ClassWave, []byte("old 2"))
	old3 := mustSeal(t, h, ClassWave, []byte("old 3"))
	if _, _, err := stay.OpenStream(old1); err != nil {
		t.Fatal(err)
	}
	e, err := h.Rekey() // "gone" was removed
	if err != nil || e != 2 || h.Epoch() != 2 {
		t.Fatalf("Rekey = %d, %v; Epoch %d", e, err, h.Epoch())
	}
	regrant(t, h, gStay, stay, 1)
	new1 := mustSeal(t, h, ClassWave, []byte("new 1"))
	new2 := mustSeal(t, h, ClassWave, []byte("new 2"))

	steps := []struct {
		name  string
		v     *Viewer
		frame []byte
		want  error
	}{
		{"in-flight old frame opens", stay, old2, nil},
		{"old frame replayed", stay, old2, ErrReplay},
		{"new epoch opens", stay, new1, nil},
		{"old epoch after the new one", stay, old3, ErrReplay},
		{"old epoch replayed", stay, old1, ErrReplay},
		{"removed viewer: new epoch", gone, new2, ErrAuth},
		{"removed viewer: old epoch still", gone, old2, nil},
		{"removed viewer: new epoch again", gone, new1, ErrAuth},
	}
	for _, s := range steps {
		if _, _, err := s.v.OpenStream(s.frame); !errors.Is(err, s.want) {
			t.Errorf("%s: %v, want %v", s.name, err, s.want)
		}
	}

	// Two more epochs: the viewer keeps only the last two keys.
	h.Rekey()
	regrant(t, h, gStay, stay, 1)
	e3 := mustSeal(t, h, ClassWave, []byte("e3"))
	if _, _, err := stay.OpenStream(e3); err != nil {
		t.Errorf("epoch 3: %v", err)
	}
	// An older grant is refused.
	stale, _ := gStay.SealGrant(Grant{Epoch: 2, Key: make([]byte, 32)})
	if _, err := stay.OpenGrant(stale); !errors.Is(err, ErrReplay) {
		t.Errorf("grant of an older epoch: %v, want ErrReplay", err)
	}
	clash, _ := gStay.SealGrant(Grant{Epoch: 3, Key: make([]byte, 32)})
	if _, err := stay.OpenGrant(clash); !errors.Is(err, ErrFrame) {
		t.Errorf("epoch 3 granted with another key: %v, want ErrFrame", err)
	}
}

func TestRekeyChangesKey(t *testing.T) {
	h := testHost(t, "keys")
	k1 := h.Grant(0, Patient{}, State{}).Key
	h.Rekey()
	k2 := h.Grant(0, Patient{}, State{}).Key
	if string(k1) == string(k2) || len(k2) != 32 {
		t.Errorf("rekey kept the key or made a %d-byte one", len(k2))
	}
	for epoch := uint32(2); epoch <= 3; epoch++ {
		for want := uint64(1); want <= 2; want++ {
			hd, err := parseHeader(mustSeal(t, h, ClassState, nil))
			if err != nil || hd.epoch != epoch || hd.counter != want {
				t.Errorf("frame %d of epoch %d: epoch %d, counter %d, %v", want, epoch, hd.epoch, hd.counter, err)
			}
		}
		h.Rekey()
	}
}
