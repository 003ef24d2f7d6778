package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"telewave/alarms"
	"telewave/assets"
	"telewave/devices"
	"telewave/sync/live/relay"
	"telewave/sync/live/share"
	"telewave/sync/live/wire"
)

// EventRemoteMarker is the code of the event a remote viewer's marker
// becomes: recorded with the device's recording, shown on the monitor.
const EventRemoteMarker = "remote-marker"

// ShareConfig starts a telehealth share of this workstation's patient.
type ShareConfig struct {
	// Relay is the base URL of the relay to connect out to
	// ("https://relay.example:8443"); "" serves viewers from the
	// workstation itself (LocalRelay).
	Relay string
	// Expires is the invite's lifetime (default 30 minutes).
	Expires time.Duration
	// OnKnock hears a viewer asking to be admitted; answer with
	// Share.Admit or Share.Deny. Called off the UI thread.
	OnKnock func(share.Knocker)
	// OnChange hears the viewers, knocks or link change.
	OnChange func(share.Status)
	// OnMarker hears a remote marker once it is on the hub (recorded).
	OnMarker func(viewer string, m wire.Marker)
}

// Share is a running share: the sealed stream and the goroutines that
// feed it from the hub and the alarm engine. End stops them all.
type Share struct {
	*share.Share
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// End stops the share, audited, and waits for its goroutines.
func (s *Share) End() {
	s.cancel()
	s.Share.End()
	s.wg.Wait()
}

// auditor is what the share needs of the store to audit it.
type auditor interface {
	Audit(ctx context.Context, action, detail string) error
}

// StartShare shares the live monitor: every device's waves, numerics and
// events, the stethoscope's filtered sound, and the alarm list. Viewers
// knock and the clinician admits them (OnKnock). Starting, admitting,
// denying, removing and ending are audited in the store.
func (w *Workstation) StartShare(ctx context.Context, cfg ShareConfig) (*Share, error) {
	base := cfg.Relay
	if base == "" {
		var err error
		if base, err = w.LocalRelay(); err != nil {
			return nil, fmt.Errorf("share: %w", err)
		}
	}
	audit := func(action, detail string) {
		a, ok := w.cfg.Store.(auditor)
		if !ok {
			return
		}
		// The share calls Audit from its own goroutines: the store is
		// safe for that, and a failure is a storage alarm, not a crash.
		if err := a.Audit(context.Background(), action, detail); err != nil {
			w.report(fmt.Errorf("audit %s: %w", action, err))
		}
	}
	s := &Share{}
	sh, err := share.Start(ctx, share.Config{
		Relay:    base,
		Expires:  cfg.Expires,
		Patient:  wire.Patient{Name: w.cfg.Patient.Name, MRN: w.cfg.Patient.MRN},
		OnKnock:  cfg.OnKnock,
		OnChange: cfg.OnChange,
		OnMarker: func(viewer string, m wire.Marker) {
			w.Hub.Publish(Envelope{Device: m.Device, Msg: markerEvent(viewer, m)})
			if cfg.OnMarker != nil {
				cfg.OnMarker(viewer, m)
			}
		},
		Audit: audit,
		Now:   w.cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	s.Share = sh
	var feedCtx context.Context
	feedCtx, s.cancel = context.WithCancel(ctx)
	sub := w.Hub.Subscribe("share", 4096)
	// The hub does not replay: what was declared and measured before the
	// share started goes first (a later copy on the hub is harmless).
	for _, sig := range w.Monitor.Signals() {
		if sig.Slot == StethoscopeSlot && sig.ID == PCGEnvelopeSignal.ID {
			continue
		}
		s := sig.Signal
		sh.Publish(sig.Slot, &s)
	}
	for _, n := range w.Monitor.Numerics() {
		v := n.Numeric
		sh.Publish(n.Slot, &v)
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		defer sub.Close()
		feedShare(feedCtx, sub, sh)
	}()
	go func() {
		defer s.wg.Done()
		w.feedAlarms(feedCtx, sh)
	}()
	return s, nil
}

// markerEvent is the event a remote marker becomes.
func markerEvent(viewer string, m wire.Marker) *devices.Event {
	text := "Marker from " + viewer
	if m.Signal != "" {
		text += " on " + m.Signal
	}
	if m.Note != "" {
		text += ": " + m.Note
	}
	return &devices.Event{Kind: devices.Physiological, Code: EventRemoteMarker, Text: text,
		Time: time.UnixMilli(m.Time), Priority: devices.Info}
}

// publisher is what feedShare needs of a share.
type publisher interface {
	Publish(device string, m devices.Message)
}

// feedShare hands the hub's device messages to the share: waves, audio,
// numerics and events; not the per-beat events (the viewer detects
// nothing itself) nor the stethoscope's display envelope.
func feedShare(ctx context.Context, sub *Subscription, p publisher) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-sub.C:
			switch m := e.Msg.(type) {
			case *devices.Event:
				if m.Code == EventBeat {
					continue
				}
			case *devices.Chunk:
				if e.Device == StethoscopeSlot && m.Signal == PCGEnvelopeSignal.ID {
					continue
				}
			case *devices.Signal:
				if e.Device == StethoscopeSlot && m.ID == PCGEnvelopeSignal.ID {
					continue
				}
			case *devices.Numeric:
			default:
				continue
			}
			p.Publish(e.Device, e.Msg)
		}
	}
}

// alarmEvery is how often the alarm list is compared for the viewers.
const alarmEvery = 250 * time.Millisecond

// feedAlarms sends the alarm list whenever it changes.
func (w *Workstation) feedAlarms(ctx context.Context, sh *share.Share) {
	t := time.NewTicker(alarmEvery)
	defer t.Stop()
	var last []wire.AlarmRec
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := alarmRecs(w.Analysis.Alarms())
		if first || !slices.Equal(cur, last) {
			sh.SetAlarms(cur)
			last, first = cur, false
		}
	}
}

// alarmRecs is the alarm list as a viewer shows it.
func alarmRecs(st alarms.State) []wire.AlarmRec {
	out := make([]wire.AlarmRec, 0, len(st.Alarms))
	for _, a := range st.Alarms {
		out = append(out, wire.AlarmRec{ID: a.ID, Priority: a.Priority, Text: a.Text, Source: a.Source,
			Flashing: a.Flashing, Audible: a.Audible, Acknowledged: a.Acknowledged})
	}
	return out
}

// LocalRelay serves viewers from the workstation itself on 127.0.0.1 (the
// browser page and the relay; started on first use, stopped by Close) and
// returns its base URL. Viewers on other machines need a relay with TLS
// (`telewave relay --tls-cert … --tls-key …`): patient data never leaves
// the machine without TLS, and browsers allow Web Crypto only on https
// or on this machine.
func (w *Workstation) LocalRelay() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.relayURL != "" {
		return w.relayURL, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("local relay: %w", err)
	}
	r := relay.New(relay.Config{ViewerPage: assets.Viewer})
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.report(fmt.Errorf("local relay: %w", err))
		}
	}()
	w.relayStop = func() {
		r.Close()
		srv.Close()
	}
	w.relayURL = (&url.URL{Scheme: "http", Host: ln.Addr().String()}).String()
	return w.relayURL, nil
}
