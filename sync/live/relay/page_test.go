package relay

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestPagesAndProbes(t *testing.T) {
	page := fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><title>viewer</title>")},
		"viewer.js":        {Data: []byte("export const x = 1;")},
		"assets/style.css": {Data: []byte("body{}")},
	}
	withPage := httptest.NewServer(New(Config{ViewerPage: page}))
	defer withPage.Close()
	bare := httptest.NewServer(New(Config{}))
	defer bare.Close()
	sid := newSID(t)

	tests := []struct {
		name, base, path string
		status           int
		body, ctype      string
	}{
		{"invite page", withPage.URL, "/v/" + sid, 200, "<title>viewer</title>", "text/html"},
		{"script beside index.html", withPage.URL, "/v/assets/viewer.js", 200, "export const", "javascript"},
		{"file in assets/", withPage.URL, "/v/assets/style.css", 200, "body{}", "text/css"},
		{"missing asset", withPage.URL, "/v/assets/nope.js", 404, "", ""},
		{"not a sid", withPage.URL, "/v/short", 404, "", ""},
		{"no page configured", bare.URL, "/v/" + sid, 404, "", ""},
		{"health", bare.URL, "/healthz", 200, "ok", "text/plain"},
		{"metrics", bare.URL, "/metrics", 200, "telewave_relay_sessions 0", "text/plain"},
		{"viewer path with a bad sid", bare.URL, "/live/nope/view", 400, "", ""},
		{"host without expiry", bare.URL, "/live/" + sid + "/host", 400, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(tc.base + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !strings.Contains(string(body), tc.body) || !strings.Contains(resp.Header.Get("Content-Type"), tc.ctype) {
				t.Errorf("body %q type %q, want %q and %q", body, resp.Header.Get("Content-Type"), tc.body, tc.ctype)
			}
			if resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("no Referrer-Policy: the sid could leak to other sites")
			}
		})
	}
}

func TestMetricsCountWithoutSIDs(t *testing.T) {
	s := openShare(t, Config{}, 1, true)
	s.host.send(OpBroadcast, 0, seqFrame(ClassWave, 1, 110))
	s.viewers[0].expect(OpFrame, 0)
	eventually(t, "frame counted out", func() bool { return s.tr.Stats().FramesOut >= 3 })
	resp, err := http.Get("http" + strings.TrimPrefix(s.tr.url, "ws") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"telewave_relay_sessions 1", "telewave_relay_viewers 1", `telewave_relay_bytes_in_total{class="wave"} 110`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics miss %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), s.sid[:4]) {
		t.Errorf("metrics name a session:\n%s", body)
	}
}
