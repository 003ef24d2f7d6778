package wire

import (
	"crypto/ecdh"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Invite is what the clinician pastes into the visit's chat. The host key
// travels in the URL fragment, which no server ever receives.
type Invite struct {
	// Base is where viewers connect: "https://host:port" (a relay) or
	// "http://127.0.0.1:port" (the workstation itself); it may carry a path
	// prefix when a proxy serves the relay below one.
	Base    string
	Session SessionID
	HostKey []byte // the host's P-256 public key, 65 bytes uncompressed
	Expires time.Time
}

// Link returns Base/v/<sid>#p=<host key>&x=<expiry, unix seconds>.
func (inv Invite) Link() string {
	return strings.TrimRight(inv.Base, "/") + "/v/" + inv.Session.String() +
		"#p=" + b64.EncodeToString(inv.HostKey) + "&x=" + strconv.FormatInt(inv.Expires.Unix(), 10)
}

// Expired reports whether the invite no longer admits new viewers at now.
// Viewers admitted before keep watching.
func (inv Invite) Expired(now time.Time) bool { return !now.Before(inv.Expires) }

// ParseInvite reads a link made by Link. It does not refuse an expired
// invite (the viewer shows when it expired); see Expired.
func ParseInvite(link string) (Invite, error) {
	var inv Invite
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return inv, fmt.Errorf("parse invite: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return inv, fmt.Errorf("parse invite: scheme %q, want https or http", u.Scheme)
	}
	if u.Host == "" || u.Opaque != "" || u.User != nil {
		return inv, fmt.Errorf("parse invite: no plain host in %q", u.Redacted())
	}
	if u.RawQuery != "" {
		return inv, fmt.Errorf("parse invite: unexpected query %q", u.RawQuery)
	}
	prefix, sid, ok := cutLast(u.EscapedPath(), "/v/")
	if !ok || strings.Contains(sid, "/") {
		return inv, fmt.Errorf("parse invite: path %q does not end in /v/<session>", u.EscapedPath())
	}
	if inv.Session, err = ParseSessionID(sid); err != nil {
		return inv, fmt.Errorf("parse invite: %w", err)
	}
	frag, err := url.ParseQuery(u.EscapedFragment())
	if err != nil {
		return inv, fmt.Errorf("parse invite: fragment: %w", err)
	}
	if inv.HostKey, err = parseHostKey(frag); err != nil {
		return inv, fmt.Errorf("parse invite: %w", err)
	}
	if inv.Expires, err = parseExpiry(frag); err != nil {
		return inv, fmt.Errorf("parse invite: %w", err)
	}
	inv.Base = u.Scheme + "://" + u.Host + prefix
	return inv, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func parseHostKey(frag url.Values) ([]byte, error) {
	ps := frag["p"]
	if len(ps) != 1 {
		return nil, fmt.Errorf("want one host key p in the fragment, found %d", len(ps))
	}
	key, err := b64.DecodeString(ps[0])
	if err != nil {
		return nil, fmt.Errorf("host key: not base64url")
	}
	if _, err := ecdh.P256().NewPublicKey(key); err != nil {
		return nil, fmt.Errorf("host key: not a P-256 public key (%d bytes)", len(key))
	}
	return key, nil
}

func parseExpiry(frag url.Values) (time.Time, error) {
	xs := frag["x"]
	if len(xs) != 1 {
		return time.Time{}, fmt.Errorf("want one expiry x in the fragment, found %d", len(xs))
	}
	x, err := strconv.ParseInt(xs[0], 10, 64)
	if err != nil || x <= 0 || x > 1<<40 {
		return time.Time{}, fmt.Errorf("expiry %q: not unix seconds", xs[0])
	}
	return time.Unix(x, 0), nil
}

// ViewerURL is the WebSocket a viewer dials: ws[s]://host/live/<sid>/view.
func (inv Invite) ViewerURL() string { return inv.wsBase() + "/live/" + inv.Session.String() + "/view" }

// HostURL is the WebSocket the host dials: ws[s]://host/live/<sid>/host?x=<unix>.
func (inv Invite) HostURL() string {
	return inv.wsBase() + "/live/" + inv.Session.String() + "/host?x=" + strconv.FormatInt(inv.Expires.Unix(), 10)
}

func (inv Invite) wsBase() string {
	base := strings.TrimRight(inv.Base, "/")
	switch {
	case strings.HasPrefix(base, "https://"):
		return "wss://" + strings.TrimPrefix(base, "https://")
	case strings.HasPrefix(base, "http://"):
		return "ws://" + strings.TrimPrefix(base, "http://")
	}
	return base
}
