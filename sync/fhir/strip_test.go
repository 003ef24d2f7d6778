package fhir

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
	"telewave/test/fhirserver"
)

var (
	twelveLeads = []string{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"}
	leadCodes   = []string{"131329", "131330", "131389", "131390", "131391", "131392", "131331", "131332", "131333", "131334", "131335", "131336"}
	cart        = devices.DeviceInfo{Protocol: "ads1298", Model: "TW-12", Serial: "SN 12&34", Firmware: "1.2"}
)

// ecgStrip makes a 12-lead strip of seconds at rate; lead i's sample j is a
// value that tells the lead and the position apart. withMDC false leaves
// the codes to be found from the labels.
func ecgStrip(seconds, rate float64, withMDC bool) storage.Strip {
	st := storage.Strip{ID: uuid.NewString(), PatientMRN: "MRN-0001", Author: "dr.who", Device: cart,
		Start: time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))}
	n := int(math.Round(seconds * rate))
	for i, name := range twelveLeads {
		sig := devices.Signal{ID: "ecg-" + name, Label: "ECG " + name, Kind: devices.KindECG, Unit: "mV",
			SampleRate: rate, Scale: 0.005, Min: -4000, Max: 4000}
		if withMDC {
			code, _ := strconv.Atoi(leadCodes[i])
			sig.MDC = uint32(code)
		}
		samples := make([]int32, n)
		for j := range samples {
			samples[j] = int32(i*100 + j%1000)
		}
		st.Leads = append(st.Leads, storage.StripLead{Signal: sig, Samples: samples})
	}
	return st
}

// entriesOf returns the resources of type rt in b, decoded as maps.
func entriesOf(b Bundle, rt string) []BundleEntry {
	var out []BundleEntry
	for _, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if json.Unmarshal(e.Resource, &head) == nil && head.ResourceType == rt {
			out = append(out, e)
		}
	}
	return out
}

func decode[T any](tb testing.TB, raw json.RawMessage) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// mustBundles maps a strip and packs it, failing the test on errors and on
// any resource the R4 schema rejects.
func mustBundles(tb testing.TB, st storage.Strip, per int) (*StripUpload, []Bundle) {
	tb.Helper()
	up, err := MapStrip(st, "Patient/p1", Systems{})
	if err != nil {
		tb.Fatal(err)
	}
	bs, err := up.Bundles(per)
	if err != nil {
		tb.Fatal(err)
	}
	for i, b := range append(up.DeviceBundles(), bs...) {
		if err := fhirserver.ValidateValue(tb, b); err != nil {
			tb.Fatalf("bundle %d: %v", i, err)
		}
		if len(b.Entry) > MaxTransactionEntries {
			tb.Fatalf("bundle %d has %d entries, more than a conditional transaction may", i, len(b.Entry))
		}
	}
	return up, bs
}

func TestMapStripTwelveLeads(t *testing.T) {
	for _, withMDC := range []bool{true, false} {
		t.Run(fmt.Sprintf("mdc=%v", withMDC), func(t *testing.T) {
			st := ecgStrip(10, 500, withMDC)
			st.Leads[1].Samples[7] = storage.GapSample
			st.Leads[2].Samples[8] = 4001 // beyond the valid range
			st.Leads[2].Samples[9] = -4001
			up, bs := mustBundles(t, st, 0)
			if up.Observations() != 1 || len(bs) != 1 {
				t.Fatalf("%d Observations in %d bundles, want 1 in 1", up.Observations(), len(bs))
			}
			b := bs[0]
			if d, m := entriesOf(b, "Device"), entriesOf(b, "DeviceMetric"); len(d) != 1 || len(m) != 0 {
				t.Fatalf("%d Devices and %d DeviceMetrics, want 1 and 0", len(d), len(m))
			}
			dev := entriesOf(b, "Device")[0]
			metrics := map[string]bool{}
			for _, db := range up.DeviceBundles() {
				if d := entriesOf(db, "Device"); len(d) != 1 || d[0].FullURL != dev.FullURL {
					t.Fatal("a device bundle lacks the Device upsert")
				}
				for _, e := range entriesOf(db, "DeviceMetric") {
					m := decode[DeviceMetric](t, e.Resource)
					if e.Request.Method != "PUT" || m.Source.Reference != dev.FullURL || m.Category != "measurement" ||
						m.Unit.Coding[0].Code != "mV" || m.MeasurementPeriod.Repeat.Frequency != 500 || m.Type.Coding[0].System != SystemMDC {
						t.Errorf("metric %+v", m)
					}
					metrics[m.Type.Coding[0].Code] = true
				}
			}
			if len(metrics) != 12 {
				t.Errorf("%d lead metrics, want 12", len(metrics))
			}
			if want := "Device?identifier=" + DefaultDeviceSystem + "|SN+12%2634"; dev.Request.Method != "PUT" || dev.Request.URL != want {
				t.Errorf("device request %+v, want PUT %s", dev.Request, want)
			}
			oe := entriesOf(b, "Observation")[0]
			o := decode[Observation](t, oe.Resource)
			if o.Code.Coding[0] != ecgCode || o.Code.Coding[1] != ecgStudyLOINC || !hasCoding(o.Category, SystemObsCategory, "procedure") {
				t.Errorf("code %+v category %+v", o.Code, o.Category)
			}
			if o.EffectivePeriod == nil || o.EffectivePeriod.Start != "2026-03-01T09:30:00.000+01:00" || o.EffectivePeriod.End != "2026-03-01T09:30:10.000+01:00" {
				t.Errorf("effectivePeriod %+v", o.EffectivePeriod)
			}
			if o.Device == nil || o.Device.Reference != dev.FullURL || o.Subject.Reference != "Patient/p1" {
				t.Errorf("device %+v subject %+v", o.Device, o.Subject)
			}
			wantID := ObservationIdentifier(st.ID, "ecg/0")
			if len(o.Identifier) != 2 || o.Identifier[0] != (Identifier{System: DefaultObservationSystem, Value: wantID}) ||
				o.Identifier[1] != (Identifier{System: DefaultStripSystem, Value: st.ID}) {
				t.Errorf("identifiers %+v", o.Identifier)
			}
			if oe.Request.IfNoneExist != "identifier="+DefaultObservationSystem+"|"+wantID || strings.Contains(oe.FullURL, wantID) || strings.Contains(oe.FullURL, st.ID) {
				t.Errorf("request %+v fullUrl %s", oe.Request, oe.FullURL)
			}
			if len(o.Component) != 12 {
				t.Fatalf("%d components", len(o.Component))
			}
			for i, c := range o.Component {
				if len(c.Code.Coding) != 1 || c.Code.Coding[0].System != SystemMDC || c.Code.Coding[0].Code != leadCodes[i] {
					t.Errorf("lead %s coded %+v, want MDC %s", twelveLeads[i], c.Code.Coding, leadCodes[i])
				}
				sd := c.ValueSampledData
				if sd == nil || sd.Period != 2 || sd.Dimensions != 1 || sd.Factor == nil || *sd.Factor != 0.005 ||
					sd.Origin != (Quantity{Value: 0, Unit: "mV", System: SystemUCUM, Code: "mV"}) ||
					sd.LowerLimit == nil || *sd.LowerLimit != -20 || *sd.UpperLimit != 20 {
					t.Fatalf("lead %s sampled data %+v", twelveLeads[i], sd)
				}
				data := strings.Fields(sd.Data)
				if len(data) != 5000 {
					t.Fatalf("lead %s: %d samples, want 5000", twelveLeads[i], len(data))
				}
				for j, tok := range data {
					want := strconv.Itoa(int(st.Leads[i].Samples[j]))
					switch {
					case i == 1 && j == 7:
						want = "E"
					case i == 2 && j == 8:
						want = "U"
					case i == 2 && j == 9:
						want = "L"
					}
					if tok != want {
						t.Fatalf("lead %s sample %d = %q, want %q", twelveLeads[i], j, tok, want)
					}
				}
			}
			p := decode[Provenance](t, entriesOf(b, "Provenance")[0].Resource)
			if len(p.Target) != 1 || p.Target[0].Reference != oe.FullURL || p.Recorded != "2026-03-01T09:30:10.000+01:00" ||
				len(p.Agent) != 2 || p.Agent[0].Who.Reference != dev.FullURL || p.Agent[1].Who.Display != "dr.who" ||
				p.Meta == nil || len(p.Meta.Tag) != 1 {
				t.Errorf("provenance %+v", p)
			}
			pe := entriesOf(b, "Provenance")[0]
			if pe.Request.IfNoneExist != "_tag="+DefaultProvenanceSystem+"|"+p.Meta.Tag[0].Code {
				t.Errorf("provenance condition %q", pe.Request.IfNoneExist)
			}
		})
	}
}

func TestMapStripSegments(t *testing.T) {
	tests := []struct {
		name    string
		seconds float64
		leads   int
		want    int
	}{
		{"5 s stays whole", 5, 12, 1},
		{"10 s", 10, 12, 1},
		{"25 s of 12 leads", 25, 12, 1},
		{"26 s of 12 leads splits by size", 26, 12, 2},
		{"30 s of one lead", 30, 1, 1},
		{"31 s of one lead", 31, 1, 2},
		{"65 s of 12 leads", 65, 12, 3},
		{"120 s of one lead", 120, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := ecgStrip(tt.seconds, 500, true)
			st.Leads = st.Leads[:tt.leads]
			up, bs := mustBundles(t, st, 0)
			if up.Observations() != tt.want {
				t.Fatalf("%d Observations, want %d", up.Observations(), tt.want)
			}
			joined := make([][]string, tt.leads)
			var prevEnd string
			for _, e := range entriesOf(bs[0], "Observation") {
				o := decode[Observation](t, e.Resource)
				start, _ := time.Parse(time.RFC3339, o.EffectivePeriod.Start)
				end, _ := time.Parse(time.RFC3339, o.EffectivePeriod.End)
				d := end.Sub(start)
				if d > 30*time.Second || d < 10*time.Second && tt.seconds >= 10 {
					t.Errorf("segment of %v", d)
				}
				if prevEnd != "" && o.EffectivePeriod.Start != prevEnd {
					t.Errorf("segment starts %s, the previous ended %s", o.EffectivePeriod.Start, prevEnd)
				}
				prevEnd = o.EffectivePeriod.End
				for i, c := range o.Component {
					joined[i] = append(joined[i], strings.Fields(c.ValueSampledData.Data)...)
				}
			}
			for i := range joined {
				if len(joined[i]) != len(st.Leads[i].Samples) {
					t.Fatalf("lead %d: %d samples across segments, want %d", i, len(joined[i]), len(st.Leads[i].Samples))
				}
				for j, tok := range joined[i] {
					if tok != strconv.Itoa(int(st.Leads[i].Samples[j])) {
						t.Fatalf("lead %d sample %d = %s", i, j, tok)
					}
				}
			}
		})
	}
}

func TestStripBundlesSplit(t *testing.T) {
	st := ecgStrip(120, 500, true)
	st.Leads = st.Leads[:2]
	up, all := mustBundles(t, st, 0)
	n := up.Observations()
	_, parts := mustBundles(t, st, 2)
	if len(parts) != (n+1)/2 {
		t.Fatalf("%d bundles of 2 for %d Observations", len(parts), n)
	}
	seen := map[string]bool{}
	tags := map[string]bool{}
	for _, b := range parts {
		if len(entriesOf(b, "Device")) != 1 || len(entriesOf(b, "Provenance")) != 1 {
			t.Errorf("a part lacks its device or provenance entries")
		}
		obs := entriesOf(b, "Observation")
		p := decode[Provenance](t, entriesOf(b, "Provenance")[0].Resource)
		if len(p.Target) != len(obs) || len(obs) > 2 {
			t.Errorf("provenance targets %d of %d Observations", len(p.Target), len(obs))
		}
		tags[p.Meta.Tag[0].Code] = true
		for _, e := range obs {
			seen[e.Request.IfNoneExist] = true
		}
	}
	if len(seen) != n || len(tags) != len(parts) {
		t.Errorf("%d distinct Observations and %d provenance tags, want %d and %d", len(seen), len(tags), n, len(parts))
	}
	for _, e := range entriesOf(all[0], "Observation") {
		if !seen[e.Request.IfNoneExist] {
			t.Errorf("Observation %s missing from the parts", e.Request.IfNoneExist)
		}
	}
}

func TestMapStripPlethAndErrors(t *testing.T) {
	st := ecgStrip(10, 500, true)
	st.Leads = append(st.Leads[:1], storage.StripLead{
		Signal:  devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, SampleRate: 75, Scale: 1, Max: 255},
		Samples: make([]int32, 750),
	})
	_, bs := mustBundles(t, st, 0)
	obs := entriesOf(bs[0], "Observation")
	if len(obs) != 2 {
		t.Fatalf("%d Observations, want ECG and pleth", len(obs))
	}
	pl := decode[Observation](t, obs[1].Resource)
	if pl.Code.Coding[0] != plethCode || len(pl.Component) != 1 || pl.Component[0].Code.Coding[0].Code != "150452" ||
		pl.Component[0].ValueSampledData.Origin.Code != "1" || math.Abs(pl.Component[0].ValueSampledData.Period-1000.0/75) > 1e-9 {
		t.Errorf("pleth %+v", pl)
	}

	bad := map[string]storage.Strip{
		"no id":      {PatientMRN: "M", Start: st.Start, Leads: st.Leads},
		"no start":   {ID: "x", Leads: st.Leads},
		"no leads":   {ID: "x", Start: st.Start},
		"no rate":    {ID: "x", Start: st.Start, Leads: []storage.StripLead{{Samples: []int32{1}}}},
		"no samples": {ID: "x", Start: st.Start, Leads: []storage.StripLead{{Signal: st.Leads[0].Signal}}},
		"NaN rate":   {ID: "x", Start: st.Start, Leads: []storage.StripLead{{Signal: devices.Signal{SampleRate: math.NaN()}, Samples: []int32{1}}}},
	}
	for name, s := range bad {
		if _, err := MapStrip(s, "Patient/p1", Systems{}); err == nil {
			t.Errorf("%s: mapped", name)
		}
	}
	if _, err := MapStrip(st, "p1", Systems{}); err == nil {
		t.Error("a patient reference without Patient/ was accepted")
	}
}

func TestSegmentCountBounds(t *testing.T) {
	for seconds := 0.5; seconds < 400; seconds += 0.7 {
		for _, rates := range []float64{75, 500, 6000, 12000, 1e6} {
			n := segmentCount(seconds, rates)
			seg := seconds / float64(n)
			if seg > maxSegmentSeconds+1e-9 || seconds >= minSegmentSeconds && seg < minSegmentSeconds-1e-9 {
				t.Fatalf("%g s at %g Hz: %d segments of %g s", seconds, rates, n, seg)
			}
		}
	}
}

func BenchmarkMapStrip(b *testing.B) {
	st := ecgStrip(10, 500, true)
	b.ReportAllocs()
	for b.Loop() {
		up, err := MapStrip(st, "Patient/p1", Systems{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := up.Bundles(0); err != nil {
			b.Fatal(err)
		}
	}
}
