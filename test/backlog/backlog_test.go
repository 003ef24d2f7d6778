package backlog

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
	"telewave/sync/fhir"
	"telewave/sync/outbox"
	"telewave/test/fhirserver"
)

// The clinic: every day, patientsPerDay patients, each with chartsPerVisit
// vitals panels 15 minutes apart, one 10 s 12-lead ECG strip at 500 Hz and
// one 30 s stethoscope clip (4 kHz, 16-bit mono).
const (
	patientsPerDay = 40
	chartsPerVisit = 4
	stripSeconds   = 10
	ecgRate        = 500
	clipSeconds    = 30
	clipRate       = 4000
)

var (
	leadNames = []string{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"}
	cart      = devices.DeviceInfo{Protocol: "ads1298", Model: "TW-12", Serial: "CART-0001"}
	scope     = devices.DeviceInfo{Protocol: "usb-audio", Model: "digital stethoscope", Serial: "STETH-01"}
)

// visit is what one patient left in the store, to check on the EHR.
type visit struct {
	mrn    string
	charts []string
	strip  string
	clip   string
}

// counter is an http.RoundTripper that counts request body bytes.
type counter struct {
	base  http.RoundTripper
	bytes atomic.Int64
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.ContentLength > 0 {
		c.bytes.Add(r.ContentLength)
	}
	return c.base.RoundTrip(r)
}

// clinic is one populated store with the test EHR that receives it.
type clinic struct {
	store  *sqlite.Store
	base   string // the test EHR, which takes raw Binary uploads itself
	visits []visit
	units  int
}

// openClinic starts a test EHR and a fresh store holding days of the
// clinic's offline work; every patient is registered on the EHR by MRN.
func openClinic(tb testing.TB, days int) *clinic {
	tb.Helper()
	ctx := context.Background()
	base := fhirserver.Start(tb)
	st, _, err := sqlite.Create(ctx, tb.TempDir()+"/store", "ada", []byte("correct horse battery staple"), seal.FastParams)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	c := &clinic{store: st, base: base}
	day0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	wav := heartSounds()
	for d := range days {
		for p := range patientsPerDay {
			at := day0.AddDate(0, 0, d).Add(time.Duration(p) * 12 * time.Minute)
			c.visits = append(c.visits, c.addVisit(tb, fmt.Sprintf("MRN-%02d-%03d", d, p), at, wav))
		}
	}
	return c
}

func (c *clinic) addVisit(tb testing.TB, mrn string, at time.Time, wav []byte) visit {
	tb.Helper()
	ctx := context.Background()
	registerPatient(tb, c.base, mrn)
	p, err := c.store.AddPatient(ctx, storage.Patient{MRN: mrn, Name: "Patient " + mrn})
	if err != nil {
		tb.Fatal(err)
	}
	v := visit{mrn: mrn}
	for k := range chartsPerVisit {
		ch := storage.Chart{ID: uuid.NewString(), PatientMRN: mrn, Time: at.Add(time.Duration(k) * 15 * time.Minute), Author: "ada",
			Device: devices.DeviceInfo{Protocol: "contec", Model: "CMS50D", Serial: "OX-1"},
			Vitals: []storage.Vital{
				{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: float64(95 + k), Unit: "%"},
				{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: float64(70 + k), Unit: "/min"},
				{Code: 150021, Label: "NIBP sys", Value: 120, Unit: "mm[Hg]"},
				{Code: 150022, Label: "NIBP dia", Value: 80, Unit: "mm[Hg]"},
				{Code: 150364, Label: "Temp", Value: 36.8, Unit: "Cel"},
				{Code: 151562, Label: "RR", Value: 14, Unit: "/min"},
			}}
		if _, err := c.store.ChartVitals(ctx, ch); err != nil {
			tb.Fatal(err)
		}
		v.charts = append(v.charts, ch.ID)
	}
	v.strip = c.recordStrip(tb, p, mrn, at.Add(20*time.Minute))
	clip := storage.Clip{ID: uuid.NewString(), PatientMRN: mrn, Time: at.Add(25 * time.Minute), Site: storage.SiteAortic,
		WAV: wav, Device: scope, Author: "ada"}
	if _, err := c.store.QueueClip(ctx, clip); err != nil {
		tb.Fatal(err)
	}
	v.clip = clip.ID
	c.units += chartsPerVisit + 2
	return v
}

// recordStrip records 12 leads for the strip's 10 s (1 s chunks, as the
// recorder writes them) and queues the strip from the recording.
func (c *clinic) recordStrip(tb testing.TB, p storage.Patient, mrn string, at time.Time) string {
	tb.Helper()
	ctx := context.Background()
	rec, err := c.store.StartRecording(ctx, p.ID, cart, at)
	if err != nil {
		tb.Fatal(err)
	}
	var chunks []devices.Chunk
	var leads []storage.StripLead
	for i, name := range leadNames {
		sig := devices.Signal{ID: "ecg-" + name, Label: "ECG " + name, Kind: devices.KindECG, MDC: leadMDC(i), Unit: "mV",
			SampleRate: ecgRate, Scale: 0.005, Min: -2048, Max: 2047}
		if err := c.store.AddSignal(ctx, rec.ID, sig); err != nil {
			tb.Fatal(err)
		}
		leads = append(leads, storage.StripLead{Signal: devices.Signal{ID: sig.ID}})
		for s := range stripSeconds {
			chunks = append(chunks, devices.Chunk{Signal: sig.ID, Seq: uint64(s), HostTime: at.Add(time.Duration(s) * time.Second),
				Samples: ecgSecond(i, s)})
		}
	}
	if err := c.store.AppendChunks(ctx, rec.ID, chunks); err != nil {
		tb.Fatal(err)
	}
	st := storage.Strip{ID: uuid.NewString(), PatientMRN: mrn, RecordingID: rec.ID, Start: at,
		End: at.Add(stripSeconds * time.Second), Leads: leads, Device: cart, Author: "ada"}
	if _, err := c.store.QueueStrip(ctx, st); err != nil {
		tb.Fatal(err)
	}
	return st.ID
}

func leadMDC(i int) uint32 {
	return []uint32{131329, 131330, 131389, 131390, 131391, 131392, 131331, 131332, 131333, 131334, 131335, 131336}[i]
}

// ecgSecond is one second of a crude beating lead: a QRS spike every 0.8 s
// on a slow wander, different per lead.
func ecgSecond(lead, second int) []int32 {
	out := make([]int32, ecgRate)
	for j := range out {
		t := float64(second) + float64(j)/ecgRate
		phase := math.Mod(t, 0.8)
		v := 40 * math.Sin(2*math.Pi*0.3*t+float64(lead))
		if phase < 0.04 {
			v += float64(200+20*lead) * math.Sin(math.Pi*phase/0.04)
		}
		out[j] = int32(v)
	}
	return out
}

// heartSounds is a 30 s, 4 kHz, 16-bit mono WAVE file of thumps.
func heartSounds() []byte {
	n := clipSeconds * clipRate
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))
	le(uint16(1))
	le(uint32(clipRate))
	le(uint32(clipRate * 2))
	le(uint16(2))
	le(uint16(16))
	b.WriteString("data")
	le(uint32(2 * n))
	for i := range n {
		t := float64(i) / clipRate
		env := math.Exp(-40 * math.Mod(t, 0.8))
		le(int16(8000 * env * math.Sin(2*math.Pi*50*t)))
	}
	return b.Bytes()
}

func registerPatient(tb testing.TB, base, mrn string) {
	tb.Helper()
	body, _ := json.Marshal(fhir.Patient{ResourceType: "Patient", Identifier: []fhir.Identifier{{System: fhir.DefaultMRNSystem, Value: mrn}}})
	resp, err := http.Post(base+"/Patient", "application/fhir+json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		tb.Fatalf("register patient %s: status %d", mrn, resp.StatusCode)
	}
}

// drain sends the whole outbox with the real Drainer and Sender and returns
// what it did and the request bytes sent.
func (c *clinic) drain(tb testing.TB) (outbox.Result, int64, time.Duration) {
	tb.Helper()
	cnt := &counter{base: http.DefaultTransport}
	client, err := fhir.NewClient(c.base, fhir.WithHTTPClient(&http.Client{Transport: cnt}),
		fhir.WithRetries(2, 50*time.Millisecond, time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	defer client.Close()
	d := &outbox.Drainer{Queue: c.store, Sender: fhir.NewSender(client, fhir.Systems{}, fhir.WithClipBinaries(c.store))}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	var total outbox.Result
	for range 5 { // a retried unit is due again after its backoff
		res, err := d.DrainOnce(ctx)
		total.Sent += res.Sent
		total.Retried += res.Retried
		total.Parked += res.Parked
		if err != nil {
			tb.Fatalf("drain: %v (status %+v)", err, d.Status())
		}
		if total.Sent+total.Parked >= c.units {
			break
		}
	}
	return total, cnt.bytes.Load(), time.Since(start)
}

// count returns how many resources of rt match q on the EHR.
func count(tb testing.TB, c *fhir.Client, rt string, q url.Values) int {
	tb.Helper()
	q.Set("_count", "1000")
	b, err := c.Search(context.Background(), rt, q)
	if err != nil {
		tb.Fatal(err)
	}
	return len(b.Entry)
}

func TestBacklogOneDayDrainsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED with -short: drains a day of clinic work (240 units) into the test EHR")
	}
	c := openClinic(t, 1)
	res, sent, took := c.drain(t)
	t.Logf("1 day: %d units sent in %v, %.1f MB", res.Sent, took.Round(time.Millisecond), float64(sent)/1e6)
	if res.Sent != c.units || res.Parked != 0 || res.Retried != 0 {
		t.Fatalf("drain %+v, want all %d units sent first time", res, c.units)
	}
	st, err := c.store.OutboxStats(context.Background())
	if err != nil || st.Pending != 0 || st.Done != c.units {
		t.Fatalf("outbox %+v, %v: want %d done, none pending", st, err, c.units)
	}
	client, err := fhir.NewClient(c.base)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for _, v := range c.visits {
		for _, ch := range v.charts {
			if n := count(t, client, "Observation", url.Values{"identifier": {fhir.DefaultObservationSystem + "|" + fhir.ObservationIdentifier(ch, "panel")}}); n != 1 {
				t.Errorf("%s: chart panel stored %d times", v.mrn, n)
			}
		}
		if n := count(t, client, "Observation", url.Values{"identifier": {fhir.DefaultStripSystem + "|" + v.strip}}); n != 1 {
			t.Errorf("%s: strip stored as %d Observations, want 1", v.mrn, n)
		}
		if n := count(t, client, "Media", url.Values{"identifier": {fhir.DefaultMediaSystem + "|" + fhir.ObservationIdentifier(v.clip, "clip")}}); n != 1 {
			t.Errorf("%s: clip stored %d times", v.mrn, n)
		}
	}
	// Members: SpO2, PR, temperature, respiration and blood pressure, plus
	// the panel, per chart; one Observation per strip.
	want := len(c.visits) * (chartsPerVisit*6 + 1)
	if n := count(t, client, "Observation", url.Values{}); n != want {
		t.Errorf("%d Observations on the EHR, want %d", n, want)
	}
	if n := count(t, client, "Binary", url.Values{}); n != len(c.visits) {
		t.Errorf("%d Binaries on the EHR, want one per clip (%d)", n, len(c.visits))
	}
}

// BenchmarkBacklog7Days drains a week of one clinic's offline work: 280
// patients, 1,120 vitals panels, 280 12-lead strips and 280 clips. Filling
// the store is not timed. Run with -benchtime=1x.
func BenchmarkBacklog7Days(b *testing.B) {
	for range b.N {
		b.StopTimer()
		c := openClinic(b, 7)
		b.StartTimer()
		res, sent, took := c.drain(b)
		b.StopTimer()
		if res.Sent != c.units {
			b.Fatalf("drain %+v, want %d units sent", res, c.units)
		}
		b.ReportMetric(took.Seconds(), "drain-s")
		b.ReportMetric(float64(sent)/1e6, "MB-sent")
		b.ReportMetric(float64(res.Sent), "units")
		b.ReportMetric(float64(res.Sent)/took.Seconds(), "units/s")
	}
}
