package browser

import (
	"strings"
	"testing"
	"time"

	"telewave/sync/live/wire"
)

type jsInvite struct {
	OK        bool    `json:"ok"`
	Err       string  `json:"err"`
	SID       string  `json:"sid"`
	HostKey   []byte  `json:"hostKey"` // base64 in JSON
	Expires   float64 `json:"expires"`
	ViewerURL string  `json:"viewerURL"`
}

func parseInBrowser(tb testing.TB, link string) jsInvite {
	tb.Helper()
	return eval[jsInvite](tb, fuzzTab(tb), `import('/m/link.js').then((m) => {
		try {
			const v = m.parseInvite(`+jsArg(tb, link)+`);
			return {ok: true, sid: v.sid, hostKey: btoa(String.fromCharCode(...v.hostKey)), expires: v.expires, viewerURL: v.viewerURL};
		} catch (e) { return {ok: false, err: e.constructor.name + ': ' + e.message}; }
	})`)
}

// checkInvite: every link wire.ParseInvite accepts, the page reads the
// same way; what the page refuses it refuses with a plain Error; and a
// link the page accepts has a 16-byte sid and a 65-byte point.
func checkInvite(t *testing.T, link string) {
	t.Helper()
	got := parseInBrowser(t, link)
	inv, err := wire.ParseInvite(link)
	if err == nil && strings.HasPrefix(link, inv.Base) {
		if !got.OK || got.SID != inv.Session.String() || string(got.HostKey) != string(inv.HostKey) ||
			got.Expires != float64(inv.Expires.Unix()) || got.ViewerURL != inv.ViewerURL() {
			t.Errorf("link %q: page read %+v, Go %s %x %d %s", link, got, inv.Session, inv.HostKey, inv.Expires.Unix(), inv.ViewerURL())
		}
	}
	if !got.OK && !strings.HasPrefix(got.Err, "Error: ") && !strings.HasPrefix(got.Err, "TypeError: Failed to construct 'URL'") {
		t.Errorf("link %q: page threw %q", link, got.Err)
	}
	if got.OK && (len(got.SID) != 22 || len(got.HostKey) != 65) {
		t.Errorf("link %q: page accepted sid %q and a %d-byte key", link, got.SID, len(got.HostKey))
	}
}

// FuzzParseInvite compares the page's reading of invite links with
// wire.ParseInvite's.
func FuzzParseInvite(f *testing.F) {
	sid, _ := wire.NewSessionID()
	h, _ := wire.NewHost(sid)
	good := wire.Invite{Base: "https://relay.example:8443", Session: sid, HostKey: h.PublicKey(), Expires: time.Unix(1_800_000_000, 0)}
	f.Add(good.Link())
	good.Base = "http://127.0.0.1:4711/prefix"
	f.Add(good.Link())
	f.Add("https://relay.example/v/AAAAAAAAAAAAAAAAAAAAAA#p=BAAA&x=1")
	f.Add("ftp://x/v/" + sid.String() + "#p=&x=")
	f.Add("not a link")
	f.Fuzz(func(t *testing.T, link string) {
		if len(link) > 2048 {
			return
		}
		checkInvite(t, link)
	})
}
