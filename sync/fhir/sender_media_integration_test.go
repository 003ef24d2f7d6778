package fhir

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
	"telewave/test/fhirserver"
)

// loseReply forwards requests but, while armed, throws away the reply to
// the next transaction whose body holds the armed text: the server
// committed, the client never hears.
type loseReply struct {
	mu   sync.Mutex
	text string
	lost int
}

func (l *loseReply) arm(text string) { l.mu.Lock(); l.text = text; l.mu.Unlock() }

func (l *loseReply) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.GetBody != nil {
		if rc, err := r.GetBody(); err == nil {
			body, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && l.text != "" && resp.StatusCode == http.StatusOK && r.Method == http.MethodPost &&
		r.Header.Get("Content-Type") == contentTypeFHIR && bytes.Contains(body, []byte(l.text)) {
		l.text = ""
		l.lost++
		resp.Body.Close()
		return nil, errors.New("connection reset after the server answered")
	}
	return resp, err
}

// recordedBinaries is a ClipBinaries that remembers what it was told.
type recordedBinaries struct{ ids map[string]string }

func (r *recordedBinaries) SetClipBinary(_ context.Context, clip, bin string) error {
	r.ids[clip] = bin
	return nil
}

// searchAll returns the resources of a search, decoded as maps.
func searchAll(tb testing.TB, c *Client, rt string, q url.Values) []map[string]any {
	tb.Helper()
	q.Set("_count", "200")
	b, err := c.Search(context.Background(), rt, q)
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]any
	for _, e := range b.Entry {
		out = append(out, decode[map[string]any](tb, e.Resource))
	}
	return out
}

func readClip(tb testing.TB) []byte {
	tb.Helper()
	wav, err := os.ReadFile("../../testdata/circor/69067_PV.wav")
	if err != nil {
		tb.Fatal(err)
	}
	return wav
}

func plethStrip() storage.Strip {
	samples := make([]int32, 30*75)
	for i := range samples {
		samples[i] = int32(128 + (i*7)%100)
	}
	return storage.Strip{ID: uuid.NewString(), PatientMRN: "MRN-0001", Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		Device: devices.DeviceInfo{Protocol: "nonin-df7", Model: "3150", Serial: "OX-77"},
		Leads: []storage.StripLead{{Signal: devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth,
			MDC: devices.MDCPulsOximPleth, SampleRate: 75, Scale: 1, Max: 255}, Samples: samples}}}
}

func TestIntegrationStripClipReport(t *testing.T) {
	base := fhirserver.Start(t)
	lose := &loseReply{}
	c, err := NewClient(base, WithRetries(0, time.Millisecond, time.Millisecond), WithHTTPClient(&http.Client{Transport: lose}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	patient := createPatient(t, base, DefaultMRNSystem, "MRN-0001")
	bins := &recordedBinaries{ids: map[string]string{}}
	s := NewSender(c, Systems{}, WithClipBinaries(bins))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	ecg, pleth := ecgStrip(10, 500, true), plethStrip()
	wav := readClip(t)
	clip := storage.Clip{ID: uuid.NewString(), PatientMRN: "MRN-0001", Time: time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC),
		Site: storage.SitePulmonic, WAV: wav, Author: "dr.who", Device: devices.DeviceInfo{Protocol: "usb-audio", Model: "Eko CORE"}}
	report := storage.Report{ID: uuid.NewString(), PatientMRN: "MRN-0001", Time: time.Date(2026, 3, 1, 9, 10, 0, 0, time.UTC),
		Text: "Sinus rhythm, 72/min, normal axis.", Author: "dr.who", Strips: []string{ecg.ID}}
	units := []storage.OutboxUnit{
		{ID: 1, Kind: "strip", Strip: &ecg},
		{ID: 2, Kind: "strip", Strip: &pleth},
		{ID: 3, Kind: "clip", Clip: &clip},
		{ID: 4, Kind: "report", Report: &report},
	}
	lastResource := []string{`"Provenance"`, `"Provenance"`, `"Media"`, `"DiagnosticReport"`}
	// Each unit's first transaction commits but its reply is lost; the
	// resend must find what the first stored.
	for i, u := range units {
		lose.arm(lastResource[i])
		if err := s.Send(ctx, u); err == nil {
			t.Fatalf("unit %d: Send succeeded although its reply was lost", u.ID)
		}
		if err := s.Send(ctx, u); err != nil {
			t.Fatalf("unit %d resent: %v", u.ID, err)
		}
	}
	if lose.lost != len(units) {
		t.Fatalf("%d replies lost, want %d", lose.lost, len(units))
	}
	for _, u := range units { // and once more, as after a crash before MarkDone
		if err := s.Send(ctx, u); err != nil {
			t.Fatalf("unit %d sent a third time: %v", u.ID, err)
		}
	}

	sys := Systems{}.withDefaults()
	ecgObs := searchAll(t, c, "Observation", url.Values{"identifier": {sys.Strip + "|" + ecg.ID}})
	if len(ecgObs) != 1 {
		t.Fatalf("%d ECG Observations after three sends, want 1", len(ecgObs))
	}
	o := decode[Observation](t, mustJSON(t, ecgObs[0]))
	if o.Subject.Reference != patient || len(o.Component) != 12 || o.Device == nil || o.Device.Reference == "" {
		t.Errorf("ECG Observation subject %v, %d components, device %v", o.Subject, len(o.Component), o.Device)
	}
	if n := len(searchAll(t, c, "Observation", url.Values{"identifier": {sys.Strip + "|" + pleth.ID}})); n != 1 {
		t.Errorf("%d pleth Observations, want 1", n)
	}
	devs := searchAll(t, c, "Device", url.Values{"identifier": {sys.Device + "|" + cart.Serial}})
	if len(devs) != 1 || o.Device.Reference != "Device/"+devs[0]["id"].(string) {
		t.Errorf("%d Devices for the cart; the strip points at %s", len(devs), o.Device.Reference)
	}
	if n := len(searchAll(t, c, "DeviceMetric", url.Values{})); n != 13 {
		t.Errorf("%d DeviceMetrics, want 12 leads + 1 pleth", n)
	}
	if n := len(searchAll(t, c, "Provenance", url.Values{})); n != 2 {
		t.Errorf("%d Provenances, want one per strip", n)
	}

	media := searchAll(t, c, "Media", url.Values{"identifier": {sys.Media + "|" + ObservationIdentifier(clip.ID, "clip")}})
	binaries := len(searchAll(t, c, "Binary", url.Values{}))
	if len(media) != 1 || binaries != 1 || bins.ids[clip.ID] == "" {
		t.Fatalf("%d Media, %d Binaries (want 1 and 1), stored id %q", len(media), binaries, bins.ids[clip.ID])
	}
	m := decode[Media](t, mustJSON(t, media[0]))
	sum := sha1.Sum(wav)
	if m.Content.URL != "Binary/"+bins.ids[clip.ID] || m.Content.Size != len(wav) || m.Content.Hash != base64.StdEncoding.EncodeToString(sum[:]) ||
		m.BodySite == nil || m.BodySite.Coding[0].Code != "39057004" || m.Duration == nil || *m.Duration < 1 {
		t.Errorf("media %+v", m)
	}
	var stored struct {
		ContentType string `json:"contentType"`
		Data        []byte `json:"data"`
	}
	if err := c.do(ctx, http.MethodGet, m.Content.URL, nil, nil, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.ContentType != ContentTypeWAV || string(stored.Data) != string(wav) {
		t.Errorf("the Binary holds %d bytes of %s, want the %d-byte clip", len(stored.Data), stored.ContentType, len(wav))
	}
	if ct, raw := rawGet(t, base+"/"+m.Content.URL, ContentTypeWAV); ct != ContentTypeWAV || !bytes.Equal(raw, wav) {
		t.Errorf("raw GET of the Binary: %d bytes of %q, want the %d-byte clip as %s", len(raw), ct, len(wav), ContentTypeWAV)
	}

	reps := searchAll(t, c, "DiagnosticReport", url.Values{"identifier": {sys.Report + "|" + ObservationIdentifier(report.ID, "report")}})
	if len(reps) != 1 {
		t.Fatalf("%d DiagnosticReports, want 1", len(reps))
	}
	d := decode[DiagnosticReport](t, mustJSON(t, reps[0]))
	if len(d.Result) != 1 || d.Result[0].Reference != "Observation/"+o.ID || d.Conclusion != report.Text || d.Status != "final" {
		t.Errorf("report %+v", d)
	}

	t.Run("report before its strip waits", func(t *testing.T) {
		r := report
		r.ID, r.Strips = uuid.NewString(), []string{uuid.NewString()}
		err := s.Send(ctx, storage.OutboxUnit{ID: 5, Kind: "report", Report: &r})
		if !errors.Is(err, ErrStripNotSent) || isPermanent(err) {
			t.Fatalf("err = %v, want ErrStripNotSent, not permanent", err)
		}
	})
}

// rawGet fetches u with Accept accept and returns the reply's Content-Type
// and body.
func rawGet(tb testing.TB, u, accept string) (string, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return resp.Header.Get("Content-Type"), body
}

func mustJSON(tb testing.TB, v any) json.RawMessage {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestIntegrationClipDocumentReference(t *testing.T) {
	base := fhirserver.StartWith(t, fhirserver.Options{Env: map[string]string{"FHIR_PEER_HIDE_MEDIA": "1"}})
	c, err := NewClient(base, WithRetries(0, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	createPatient(t, base, DefaultMRNSystem, "MRN-0001")
	s := NewSender(c, Systems{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clip := storage.Clip{ID: uuid.NewString(), PatientMRN: "MRN-0001", Time: time.Now(), Site: storage.SiteMitral, WAV: readClip(t)}
	for range 2 {
		if err := s.Send(ctx, storage.OutboxUnit{ID: 1, Kind: "clip", Clip: &clip}); err != nil {
			t.Fatal(err)
		}
	}
	sys := Systems{}.withDefaults()
	q := url.Values{"identifier": {sys.Media + "|" + ObservationIdentifier(clip.ID, "clip")}}
	docs := searchAll(t, c, "DocumentReference", q)
	binaries := len(searchAll(t, c, "Binary", url.Values{}))
	if len(docs) != 1 || len(searchAll(t, c, "Media", url.Values{})) != 0 || binaries != 1 {
		t.Fatalf("%d DocumentReferences (want 1), Media stored anyway, or %d Binaries", len(docs), binaries)
	}
	d := decode[DocumentReference](t, mustJSON(t, docs[0]))
	if len(d.Content) != 1 || d.Content[0].Attachment.ContentType != ContentTypeWAV || d.Description != "Stethoscope recording, mitral area" {
		t.Errorf("document %+v", d)
	}
}

func TestIntegrationStripTooLarge(t *testing.T) {
	base := fhirserver.StartWith(t, fhirserver.Options{Env: map[string]string{"FHIR_PEER_MAX_BATCH": "150000"}})
	c, err := NewClient(base, WithRetries(0, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	createPatient(t, base, DefaultMRNSystem, "MRN-0001")
	s := NewSender(c, Systems{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sys := Systems{}.withDefaults()

	// 65 s of two leads: three segments of about 90 KB; 150 KB takes one
	// per transaction.
	st := ecgStrip(65, 500, true)
	st.Leads = st.Leads[:2]
	if err := s.Send(ctx, storage.OutboxUnit{ID: 1, Kind: "strip", Strip: &st}); err != nil {
		t.Fatalf("Send after 413s: %v", err)
	}
	if n := len(searchAll(t, c, "Observation", url.Values{"identifier": {sys.Strip + "|" + st.ID}})); n != 3 {
		t.Errorf("%d Observations, want 3", n)
	}
	if n := len(searchAll(t, c, "Provenance", url.Values{})); n != 3 {
		t.Errorf("%d Provenances, want one per one-Observation transaction", n)
	}

	// 10 s of twelve leads is one 250 KB Observation: too large alone.
	big := ecgStrip(10, 500, true)
	err = s.Send(ctx, storage.OutboxUnit{ID: 2, Kind: "strip", Strip: &big})
	if !isPermanent(err) {
		t.Fatalf("err = %v, want a permanent error", err)
	}
	if n := len(searchAll(t, c, "Observation", url.Values{"identifier": {sys.Strip + "|" + big.ID}})); n != 0 {
		t.Errorf("%d Observations stored of a strip too large to send", n)
	}
}
