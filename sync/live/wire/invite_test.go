package wire

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSessionID(t *testing.T) {
	a, err := NewSessionID()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSessionID()
	if a == b {
		t.Error("two session ids are equal")
	}
	s := a.String()
	if len(s) != 22 || strings.ContainsAny(s, "+/=") {
		t.Errorf("session id %q: want 22 base64url characters", s)
	}
	if got, err := ParseSessionID(s); err != nil || got != a {
		t.Errorf("ParseSessionID(%q) = %v, %v", s, got, err)
	}
	for _, bad := range []string{"", s[:21], s + "A", "dGVsZXdhdmUgbGl2ZSB2M", "dGVsZXdhdmUgbGl2ZSB2MQ==", "dGVsZXdhdmUgbGl2ZSB2M/", "dGVsZXdhdmUgbGl2ZSB2MR"} {
		if _, err := ParseSessionID(bad); err == nil {
			t.Errorf("ParseSessionID(%q) accepted", bad)
		}
	}
}

func TestInviteRoundTrip(t *testing.T) {
	h := testHost(t, "inv")
	tests := []struct {
		base, viewer, host string
	}{
		{"https://relay.example:8443", "wss://relay.example:8443/live/SID/view", "wss://relay.example:8443/live/SID/host?x=1767225600"},
		{"http://127.0.0.1:9000/", "ws://127.0.0.1:9000/live/SID/view", "ws://127.0.0.1:9000/live/SID/host?x=1767225600"},
		{"https://example.org/telewave", "wss://example.org/telewave/live/SID/view", "wss://example.org/telewave/live/SID/host?x=1767225600"},
		{"https://[::1]:8443", "wss://[::1]:8443/live/SID/view", "wss://[::1]:8443/live/SID/host?x=1767225600"},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			inv := Invite{Base: tt.base, Session: h.Session(), HostKey: h.PublicKey(), Expires: time.Unix(1767225600, 0)}
			link := inv.Link()
			got, err := ParseInvite(link)
			if err != nil {
				t.Fatalf("ParseInvite(%q): %v", link, err)
			}
			if got.Base != strings.TrimRight(tt.base, "/") || got.Session != inv.Session || !bytes.Equal(got.HostKey, inv.HostKey) || !got.Expires.Equal(inv.Expires) {
				t.Errorf("parsed %+v from %q, want %+v", got, link, inv)
			}
			sid := inv.Session.String()
			if v := got.ViewerURL(); v != strings.ReplaceAll(tt.viewer, "SID", sid) {
				t.Errorf("ViewerURL %q", v)
			}
			if v := got.HostURL(); v != strings.ReplaceAll(tt.host, "SID", sid) {
				t.Errorf("HostURL %q", v)
			}
			if got.Link() != link {
				t.Errorf("Link after parse %q, want %q", got.Link(), link)
			}
		})
	}
}

func TestInviteLinkShape(t *testing.T) {
	h := testHost(t, "shape")
	inv := testInvite(h)
	link := inv.Link()
	before, frag, ok := strings.Cut(link, "#")
	if !ok || strings.Contains(before, b64.EncodeToString(inv.HostKey)) {
		t.Fatalf("the host key must travel only in the fragment: %q", link)
	}
	if !strings.HasPrefix(frag, "p=") || len(frag) != len("p=")+87+len("&x=1767225600") {
		t.Errorf("fragment %q: want p=<87 characters>&x=<unix>", frag)
	}
	if !inv.Expired(inv.Expires) || inv.Expired(inv.Expires.Add(-time.Second)) {
		t.Error("Expired: want true from the expiry on, false before")
	}
}

func TestParseInviteRejects(t *testing.T) {
	h := testHost(t, "bad")
	good := testInvite(h).Link()
	sid := testSID.String()
	key := b64.EncodeToString(h.PublicKey())
	badKey := []byte(key)
	badKey[40] ^= 1 // almost surely off the curve
	tests := []struct{ name, link string }{
		{"empty", ""},
		{"ftp", strings.Replace(good, "https", "ftp", 1)},
		{"javascript", "javascript:alert(1)//v/" + sid + "#p=" + key + "&x=1"},
		{"no host", "https:///v/" + sid + "#p=" + key + "&x=1"},
		{"user info", "https://u:p@relay/v/" + sid + "#p=" + key + "&x=1"},
		{"query", "https://relay/v/" + sid + "?a=1#p=" + key + "&x=1"},
		{"no /v/", "https://relay/w/" + sid + "#p=" + key + "&x=1"},
		{"sid short", "https://relay/v/" + sid[:21] + "#p=" + key + "&x=1"},
		{"sid with slash", "https://relay/v/" + sid + "/x#p=" + key + "&x=1"},
		{"no fragment", "https://relay/v/" + sid},
		{"key missing", "https://relay/v/" + sid + "#x=1"},
		{"key twice", "https://relay/v/" + sid + "#p=" + key + "&p=" + key + "&x=1"},
		{"key short", "https://relay/v/" + sid + "#p=" + key[:86] + "&x=1"},
		{"key std base64", "https://relay/v/" + sid + "#p=" + key + "==&x=1"},
		{"key off curve", "https://relay/v/" + sid + "#p=" + string(badKey) + "&x=1"},
		{"expiry missing", "https://relay/v/" + sid + "#p=" + key},
		{"expiry text", "https://relay/v/" + sid + "#p=" + key + "&x=soon"},
		{"expiry negative", "https://relay/v/" + sid + "#p=" + key + "&x=-5"},
		{"expiry absurd", "https://relay/v/" + sid + "#p=" + key + "&x=99999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if inv, err := ParseInvite(tt.link); err == nil {
				t.Errorf("ParseInvite(%q) accepted: %+v", tt.link, inv)
			} else if !strings.HasPrefix(err.Error(), "parse invite: ") {
				t.Errorf("error %q: want it to say what was parsed", err)
			}
		})
	}
}

func TestNewViewerRejectsBadHostKey(t *testing.T) {
	inv := testInvite(testHost(t, "nv"))
	inv.HostKey = inv.HostKey[:64]
	if _, err := NewViewer(inv); err == nil {
		t.Error("NewViewer accepted a 64-byte host key")
	}
}
