package wire

import (
	"crypto/ecdh"
	"crypto/sha256"
	"math/rand/v2"
	"testing"
	"time"
)

// testSID is the session id of the fixed test share.
var testSID = SessionID{0x74, 0x65, 0x6c, 0x65, 0x77, 0x61, 0x76, 0x65, 0x20, 0x6c, 0x69, 0x76, 0x65, 0x20, 0x76, 0x31}

// fixedKey derives a P-256 private key from a label.
func fixedKey(tb testing.TB, label string) *ecdh.PrivateKey {
	tb.Helper()
	s := sha256.Sum256([]byte(label))
	k, err := ecdh.P256().NewPrivateKey(s[:])
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// seeded returns a deterministic byte stream for stream keys.
func seeded(label string) *rand.ChaCha8 { return rand.NewChaCha8(sha256.Sum256([]byte(label))) }

func testHost(tb testing.TB, label string) *Host {
	tb.Helper()
	h, err := newHost(testSID, fixedKey(tb, "host "+label), seeded("stream "+label))
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func testInvite(h *Host) Invite {
	return Invite{Base: "https://relay.example:8443", Session: h.Session(), HostKey: h.PublicKey(),
		Expires: time.Unix(1767225600, 0)}
}

func testViewer(tb testing.TB, h *Host, label string) *Viewer {
	tb.Helper()
	v, err := newViewer(testInvite(h), fixedKey(tb, "viewer "+label))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// admit knocks v on h, grants the current epoch and returns the host's guest.
func admit(tb testing.TB, h *Host, v *Viewer, id uint32) *Guest {
	tb.Helper()
	kf, err := v.Knock(Knock{Name: "Dr Remote", Client: "telewave"})
	if err != nil {
		tb.Fatal(err)
	}
	g, _, err := h.OpenKnock(kf)
	if err != nil {
		tb.Fatalf("open knock: %v", err)
	}
	regrant(tb, h, g, v, id)
	return g
}

// regrant seals the host's current epoch for g and opens it on v.
func regrant(tb testing.TB, h *Host, g *Guest, v *Viewer, id uint32) {
	tb.Helper()
	gf, err := g.SealGrant(h.Grant(id, Patient{Name: "Test Patient", MRN: "MRN-1"}, State{Time: 1}))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := v.OpenGrant(gf); err != nil {
		tb.Fatalf("open grant: %v", err)
	}
}

func mustSeal(tb testing.TB, h *Host, c Class, p []byte) []byte {
	tb.Helper()
	f, err := h.SealStream(c, p)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
