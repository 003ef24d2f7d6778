package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/sync/outbox"
	"telewave/test/faultproxy"
	"telewave/test/fhirserver"
)

// backlogQueue is an in-memory outbox.Queue with the store's semantics
// (claim marks in flight, oldest id first; retry counts an attempt), safe
// for several drainers at once.
type backlogQueue struct {
	mu    sync.Mutex
	units []*storage.OutboxUnit // by id
}

var _ outbox.Queue = (*backlogQueue)(nil)

func (q *backlogQueue) ClaimDue(_ context.Context, now time.Time, limit int) ([]storage.OutboxUnit, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []storage.OutboxUnit
	for _, u := range q.units {
		if len(out) == limit {
			break
		}
		if u.State == storage.Pending && !u.NextAttempt.After(now) {
			u.State = storage.InFlight
			out = append(out, *u)
		}
	}
	return out, nil
}

func (q *backlogQueue) unit(id int64) (*storage.OutboxUnit, error) {
	if id < 1 || int(id) > len(q.units) || q.units[id-1].State != storage.InFlight {
		return nil, fmt.Errorf("unit %d is not in flight", id)
	}
	return q.units[id-1], nil
}

func (q *backlogQueue) MarkDone(_ context.Context, id int64, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	u, err := q.unit(id)
	if err == nil {
		u.State = storage.Done
	}
	return err
}

func (q *backlogQueue) MarkRetry(_ context.Context, id int64, reason string, next time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	u, err := q.unit(id)
	if err == nil {
		u.State, u.LastError, u.NextAttempt = storage.Pending, reason, next
		u.Attempts++
	}
	return err
}

func (q *backlogQueue) Park(_ context.Context, id int64, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	u, err := q.unit(id)
	if err == nil {
		u.State, u.LastError = storage.Parked, reason
	}
	return err
}

// tally counts units by state and returns one parked unit's reason.
func (q *backlogQueue) tally() (byState map[storage.UnitState]int, attempts int, parkedWhy string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	byState = map[storage.UnitState]int{}
	for _, u := range q.units {
		byState[u.State]++
		attempts += u.Attempts
		if u.State == storage.Parked && parkedWhy == "" {
			parkedWhy = u.LastError
		}
	}
	return byState, attempts, parkedWhy
}

// backlogChart returns chart i of a varied backlog: devices and manual
// entries, every vital, blood pressure, unavailable and questionable values.
func backlogChart(i int, mrn string) *storage.Chart {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600)).Add(time.Duration(i) * time.Minute)
	c := &storage.Chart{ID: ObservationIdentifier("faults-backlog", strconv.Itoa(i)), PatientMRN: mrn, Time: at}
	v := float64(i % 20)
	switch i % 4 {
	case 0:
		c.Device = devices.DeviceInfo{Protocol: "contec", Model: "CMS50D", Serial: "SN" + strconv.Itoa(i%7)}
		c.Vitals = []storage.Vital{
			{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 90 + v/4, Unit: "%"},
			{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 60 + v, Unit: "bpm"},
		}
	case 1:
		c.Device = devices.DeviceInfo{Protocol: "intellivue", Model: "MX450"}
		c.Vitals = []storage.Vital{
			{Code: devices.MDCECGHeartRate, Value: 70 + v, Unit: "/min"},
			{Code: 150021, Value: 110 + v, Unit: "mmHg"},
			{Code: 150022, Value: 70 + v, Unit: "mmHg"},
			{Code: 151562, Value: 12 + v/5, Unit: "/min", Status: devices.QuestionableValue},
		}
	case 2:
		c.Author = "nurse"
		c.Vitals = []storage.Vital{
			{Code: 150364, Value: 36.5 + v/20, Unit: "Cel"},
			{Code: devices.MDCPulsOximSatO2, Unit: "%", Status: devices.Unavailable},
		}
	default:
		c.Vitals = []storage.Vital{{Code: 150021, Value: 120 + v, Unit: "mmHg"}}
	}
	return c
}

// TestFaultsBacklogDrains drains a backlog of chart units through a proxy
// that breaks most requests (every fault kind, ≥ 1,000 faults in all) to
// the test EHR, and checks that every Observation ends up stored exactly
// once: retries after lost answers must not duplicate, and nothing may be
// lost or parked.
func TestFaultsBacklogDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: TestFaultsBacklogDrains starts the Node test EHR and a fault proxy (-short)")
	}
	proxy := drainBacklog(t, 320, false)
	if proxy.Injected() < 1000 {
		t.Errorf("only %d faults injected, want ≥ 1000", proxy.Injected())
	}
	for _, k := range faultproxy.FaultKinds() {
		if proxy.Faults()[k] == 0 {
			t.Errorf("no %v fault was injected", k)
		}
	}
}

// TestFaultsBacklogDrainsWithSMART is the same with SMART Backend Services
// on: token requests cross the faulty proxy too (lost, refused with 5xx,
// truncated), and must neither strand units nor end in auth errors.
func TestFaultsBacklogDrainsWithSMART(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: TestFaultsBacklogDrainsWithSMART starts the Node test EHR and a fault proxy (-short)")
	}
	drainBacklog(t, 80, true)
}

// drainBacklog uploads units charts through a fault proxy, drain round
// after drain round, and checks the server's Observations.
func drainBacklog(t *testing.T, units int, smart bool) *faultproxy.Proxy {
	t.Helper()
	const (
		patients  = 8
		workers   = 6
		maxRounds = 60
		wallCap   = 3 * time.Minute
		tryLimit  = 500 * time.Millisecond // per try; Timeout faults hold longer
	)
	opts := []Option{WithRetries(6, time.Millisecond, 8*time.Millisecond), WithMaxRetryAfter(5 * time.Millisecond),
		WithTryTimeout(tryLimit)}
	var admin fhirserver.Options
	if smart {
		_, ek := testKeys(t)
		admin = fhirserver.Options{JWKS: fhirserver.WriteJWKS(t, fhirserver.JWK{KeyID: "ec-1", Key: &ek.PublicKey}),
			Env: map[string]string{"FHIR_PEER_TOKEN": "admin-token"}}
		opts = append(opts, WithSMART(SMARTConfig{ClientID: "device-app", KeyID: "ec-1", Key: ek}))
	}
	base := fhirserver.StartWith(t, admin)
	root := strings.TrimSuffix(base, "/fhir/R4")
	// The EHR's own registration creates the patients, and the check at
	// the end reads the server directly, around the proxy (with SMART on,
	// as the EHR's admin).
	adminHTTP := &http.Client{Transport: bearer{"admin-token"}}
	direct, err := NewClient(base, WithHTTPClient(adminHTTP))
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	for p := range patients {
		mrn := fmt.Sprintf("MRN-F%02d", p)
		body, _ := json.Marshal(Patient{ResourceType: "Patient", Identifier: []Identifier{{System: DefaultMRNSystem, Value: mrn}}})
		resp, err := adminHTTP.Post(base+"/Patient", contentTypeFHIR, bytes.NewReader(body))
		if err != nil {
			t.Fatalf("create patient %s: %v", mrn, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create patient %s: status %d", mrn, resp.StatusCode)
		}
	}
	proxy := faultproxy.Start(t, root, faultproxy.Config{
		Seed: 20260301,
		P: map[faultproxy.Kind]float64{
			faultproxy.Status500: 0.14, faultproxy.Status503: 0.10, faultproxy.Status429: 0.10,
			faultproxy.Timeout: 0.04, faultproxy.Reset: 0.14, faultproxy.SlowBody: 0.08, faultproxy.Truncate: 0.12,
		},
		RetryAfter: 1, Hold: 2 * time.Second, SlowPieces: 6, SlowPause: 2 * time.Millisecond,
	})
	client, err := NewClient(proxy.URL()+"/fhir/R4", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)

	q := &backlogQueue{}
	want := map[string]bool{} // every Observation identifier the backlog should store
	sys := Systems{}.withDefaults()
	for i := range units {
		c := backlogChart(i, fmt.Sprintf("MRN-F%02d", i%patients))
		q.units = append(q.units, &storage.OutboxUnit{ID: int64(i + 1), Kind: "chart", State: storage.Pending, Chart: c})
		b, err := ChartBundle(*c, "Patient/any", sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entriesOf(b, "Observation") {
			var o Observation
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				t.Fatal(err)
			}
			want[o.Identifier[0].Value] = true
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), wallCap)
	defer cancel()
	sender := NewSender(client, Systems{})
	start := time.Now()
	rounds := 0
	for ; rounds < maxRounds && ctx.Err() == nil; rounds++ {
		if st, _, _ := q.tally(); st[storage.Pending] == 0 {
			break
		}
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for w := range workers {
			d := &outbox.Drainer{Queue: q, Sender: sender, Batch: 4, SendTimeout: 30 * time.Second,
				Backoff: func(int) time.Duration { return 0 }}
			wg.Go(func() { _, errs[w] = d.DrainOnce(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && ctx.Err() == nil {
				t.Fatalf("round %d: %v", rounds, err)
			}
		}
	}
	elapsed := time.Since(start)
	st, attempts, parkedWhy := q.tally()
	faults := proxy.Faults()
	t.Logf("%d units in %v over %d drain rounds: %d retries of units; proxy: %v (%d faults injected)",
		units, elapsed.Round(time.Millisecond), rounds, attempts, faults, proxy.Injected())
	if st[storage.Done] != units {
		t.Fatalf("after %d rounds: %v (a parked unit: %q)", rounds, st, parkedWhy)
	}

	// Count on the server itself, around the proxy.
	seen := map[string]int{}
	const page = 500
	for offset := 0; ; offset += page {
		b, err := direct.Search(context.Background(), "Observation",
			url.Values{"_count": {strconv.Itoa(page)}, "_offset": {strconv.Itoa(offset)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entriesOf(b, "Observation") {
			var o Observation
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				t.Fatal(err)
			}
			for _, id := range o.Identifier {
				if id.System == sys.Observation {
					seen[id.Value]++
				}
			}
		}
		if len(b.Entry) < page || offset > 10*len(want) {
			break
		}
	}
	total, err := direct.Search(context.Background(), "Observation", url.Values{"_summary": {"count"}})
	if err != nil || total.Total == nil {
		t.Fatalf("count: %v", err)
	}
	var missing, dup, extra []string
	for id := range want {
		switch n := seen[id]; {
		case n == 0:
			missing = append(missing, id)
		case n > 1:
			dup = append(dup, fmt.Sprintf("%s ×%d", id, n))
		}
	}
	for id := range seen {
		if !want[id] {
			extra = append(extra, id)
		}
	}
	slices.Sort(missing)
	slices.Sort(dup)
	if len(missing)+len(dup)+len(extra) > 0 || *total.Total != len(want) {
		t.Errorf("server holds %d Observations for %d identifiers: %d missing %v, %d duplicated %v, %d unexpected",
			*total.Total, len(want), len(missing), head(missing), len(dup), head(dup), len(extra))
	}
	return proxy
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// bearer adds a static bearer token (the test EHR's FHIR_PEER_TOKEN).
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
