package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/app"
	"telewave/devices"
	"telewave/devices/contec"
	"telewave/sync/live/relay"
	"telewave/sync/live/wire"
)

// syncBuffer is a stderr both the command and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The acceptance path of `share` and `join`: a simulated oximeter on a
// pty, shared through a relay on the loopback; `share` prints the link
// first, `join --json` prints the oximeter's messages as capture would.
func TestShareThenJoin(t *testing.T) {
	rl := relay.New(relay.Config{})
	srv := httptest.NewServer(rl)
	defer srv.Close()
	defer rl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := app.Simulate(ctx, contec.Protocol, &contec.Simulator{Speed: 1,
		SpO2: func(time.Duration) int { return 96 }, PR: func(time.Duration) int { return 81 }}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Stop()

	pr, pw := io.Pipe()
	shareErr := &syncBuffer{}
	env, _, _ := testEnv(nil)
	env.Stdout, env.Stderr = pw, shareErr
	done := make(chan error, 1)
	go func() {
		done <- RunShare(ctx, env, []string{"--relay", srv.URL, "--port", sim.Path, "--protocol", contec.Protocol,
			"--patient", "MRN-5", "--patient-name", "Ada Share", "--admit", "all"})
		pw.Close()
	}()
	first, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no link: %v; stderr %s", err, shareErr)
	}
	go io.Copy(io.Discard, pr)
	link := strings.TrimSpace(first)
	inv, err := wire.ParseInvite(link)
	if err != nil || inv.Base != srv.URL || time.Until(inv.Expires) < 29*time.Minute {
		t.Fatalf("first line %q: %+v, %v", first, inv, err)
	}

	jenv, out, jerr := testEnv(nil)
	if err := RunJoin(ctx, jenv, []string{link, "--json", "--seconds", "3", "--name", "Dr. Far Away"}); err != nil {
		t.Fatalf("join: %v; stderr %s", err, jerr)
	}
	if !strings.Contains(jerr.String(), "patient Ada Share (MRN MRN-5)") {
		t.Errorf("join stderr %q", jerr)
	}
	var chunks, spo2, rate, signals, alarms int
	var lastSeq uint64
	for i, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m struct {
			Type    string          `json:"type"`
			Device  string          `json:"device"`
			Signal  string          `json:"signal"`
			ID      string          `json:"id"`
			Seq     uint64          `json:"seq"`
			Flags   int             `json:"flags"`
			Samples []int32         `json:"samples"`
			Code    json.RawMessage `json:"code"`
			Value   float64         `json:"value"`
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d not JSON: %q", i, l)
		}
		if m.Type != "alarms" && m.Device != contec.Protocol {
			t.Errorf("line %d from device %q", i, m.Device)
		}
		switch {
		case m.Type == "alarms":
			alarms++ // the grant's snapshot: none here
		case m.Type == "signal" && m.ID == "pleth":
			signals++
		case m.Type == "chunk" && m.Signal == "pleth":
			if chunks > 0 && (m.Seq != lastSeq+1 || m.Flags&int(devices.GapBefore) != 0) {
				t.Errorf("chunk seq %d after %d, flags %d", m.Seq, lastSeq, m.Flags)
			}
			lastSeq = m.Seq
			chunks++
		case m.Type == "numeric" && string(m.Code) == fmt.Sprint(devices.MDCPulsOximSatO2):
			if m.Value != 96 {
				t.Errorf("SpO2 %v, want 96", m.Value)
			}
			spo2++
		case m.Type == "numeric" && string(m.Code) == fmt.Sprint(devices.MDCPulsOximPulsRt):
			if m.Value != 81 {
				t.Errorf("pulse rate %v, want 81", m.Value)
			}
			rate++
		}
	}
	// 3 s at 60 Hz, one wave frame every 40 ms: about 75 chunks.
	if signals != 1 || chunks < 30 || spo2 < 2 || rate < 2 || alarms != 1 {
		t.Fatalf("joined: %d signal, %d pleth chunks, %d SpO2, %d PR, %d alarm lists", signals, chunks, spo2, rate, alarms)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("share: %v", err)
	}
	for _, want := range []string{`knock: viewer 1 "Dr. Far Away" (telewave), admitted`, "audit: share-start", "audit: share-admit", "audit: share-end", "share ended:"} {
		if !strings.Contains(shareErr.String(), want) {
			t.Errorf("share stderr lacks %q:\n%s", want, shareErr)
		}
	}
}

func TestShareAndJoinUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(context.Context, Env, []string) error
		args []string
		want error
		text string
	}{
		{"share without a relay", RunShare, []string{"--port", "/dev/null", "--protocol", "contec", "--admit", "all"}, ErrUsage, "required"},
		{"share admitting oddly", RunShare, []string{"--relay", "http://127.0.0.1:1", "--port", "p", "--protocol", "contec", "--admit", "some"}, ErrUsage, "ask or all"},
		{"share asking without a terminal", RunShare, []string{"--relay", "http://127.0.0.1:1", "--port", "p", "--protocol", "contec"}, ErrUsage, "--admit all"},
		{"join without a link", RunJoin, []string{"--json"}, ErrUsage, "link"},
		{"join without --json", RunJoin, []string{"http://127.0.0.1:1/v/x#p=y&x=1"}, ErrNeedsWindow, "window"},
		{"join a bad link", RunJoin, []string{"ftp://example/v/x", "--json"}, nil, "invite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _, _ := testEnv(nil)
			err := tc.run(context.Background(), env, tc.args)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("%v, want %v mentioning %q", err, tc.want, tc.text)
			}
		})
	}
}
