package fhir

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"telewave/devices"
	"telewave/storage"
)

// twelveVitalChart is a monitor's chart with twelve members: more than one
// transaction holds.
func twelveVitalChart() storage.Chart {
	c := chart("7d1e44a0-5f7b-4c1e-9d2a-12a0b3c4d5e6",
		storage.Vital{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97, Unit: "%"},
		storage.Vital{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 72, Unit: "bpm"},
		storage.Vital{Code: devices.MDCECGHeartRate, Label: "HR", Value: 71, Unit: "/min"},
		storage.Vital{Code: 151562, Label: "RR", Value: 14, Unit: "/min"},
		storage.Vital{Code: 150364, Label: "Temp", Value: 36.8, Unit: "Cel"},
		storage.Vital{Code: 150021, Label: "NIBP sys", Value: 120, Unit: "mmHg"},
		storage.Vital{Code: 150022, Label: "NIBP dia", Value: 80, Unit: "mmHg"},
		storage.Vital{Code: 150023, Label: "NIBP mean", Value: 93, Unit: "mmHg"},
		storage.Vital{Code: mdcMassBodyActual, Label: "Weight", Value: 71.5, Unit: "kg"},
		storage.Vital{Code: mdcLenBodyActual, Label: "Height", Value: 172, Unit: "cm"},
		storage.Vital{Code: mdcRatioMassBodyLenSq, Label: "BMI", Value: 24.2, Unit: "kg/m2"},
		storage.Vital{Code: 151708, Label: "EtCO2", Value: 38, Unit: "mm[Hg]"},
		storage.Vital{Code: devices.MDCPulsOximPerfRel, Label: "PI", Value: 2.5, Unit: "%"},
		storage.Vital{Code: 151594, Label: "awRR", Value: 15, Unit: "/min"},
	)
	c.Device = devices.DeviceInfo{Protocol: "intellivue", Model: "MX450", Serial: "DE123"}
	c.Author = "nurse.jane"
	return c
}

// chartTransactions maps c and returns every transaction it takes, the
// panel's built with made-up server ids for the parts' members.
func chartTransactions(tb testing.TB, c storage.Chart, patientRef string, sys Systems) (*ChartUpload, []Bundle) {
	tb.Helper()
	up, err := MapChart(c, patientRef, sys)
	if err != nil {
		tb.Fatalf("MapChart: %v", err)
	}
	parts, err := up.Parts()
	if err != nil {
		tb.Fatalf("Parts: %v", err)
	}
	var refs []string
	for i := range parts {
		entries, _ := up.partMembers(i)
		for _, e := range entries {
			refs = append(refs, fmt.Sprintf("Observation/part%d-entry%d", i, e))
		}
	}
	panel, err := up.Panel(refs)
	if err != nil {
		tb.Fatalf("Panel: %v", err)
	}
	return up, append(parts, panel)
}

func TestMapChartSplits(t *testing.T) {
	monitor := devices.DeviceInfo{Protocol: "intellivue", Model: "MX450", Serial: "DE123"}
	tests := []struct {
		name    string
		members int // distinct vital codes, each one member
		device  bool
		author  string
		txs     int
	}{
		{"one vital by hand", 1, false, "", 1},
		{"seven by hand fill one transaction", 7, false, "", 1},
		{"eight by hand need two", 8, false, "", 2},
		{"six by hand with an author", 6, false, "nurse", 1},
		{"seven by hand with an author", 7, false, "nurse", 2},
		{"five from a monitor", 5, true, "", 1},
		{"six from a monitor", 6, true, "nurse", 2},
		{"twelve from a monitor", 12, true, "nurse", 3},
		{"thirteen from a monitor", 13, true, "", 3},
		{"forty from a monitor", 40, true, "nurse", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := chart("split-" + strings.ReplaceAll(tt.name, " ", "-"))
			for i := range tt.members {
				c.Vitals = append(c.Vitals, vital(uint32(190000+i), float64(i), "1"))
			}
			if tt.device {
				c.Device = monitor
			}
			c.Author = tt.author
			up, bundles := chartTransactions(t, c, testPatient, testSystems)
			if len(bundles) != tt.txs || up.Transactions() != tt.txs {
				t.Fatalf("%d transactions (Transactions says %d), want %d", len(bundles), up.Transactions(), tt.txs)
			}
			seen := map[string]int{} // ifNoneExist -> count over all transactions
			var partRefs []string
			for k, b := range bundles {
				if len(b.Entry) > MaxTransactionEntries {
					t.Errorf("transaction %d: %d entries, over %d", k, len(b.Entry), MaxTransactionEntries)
				}
				obs := checkTransaction(t, b, testPatient, testSystems)
				devs, provs := entriesOf(b, "Device"), entriesOf(b, "Provenance")
				if wantDev := tt.device; (len(devs) == 1) != wantDev || len(devs) > 1 {
					t.Errorf("transaction %d: %d Device upserts, want device=%v", k, len(devs), wantDev)
				}
				wantProv := tt.device || tt.author != ""
				if (len(provs) == 1) != wantProv || len(provs) > 1 {
					t.Fatalf("transaction %d: %d Provenances, want %v", k, len(provs), wantProv)
				}
				for _, e := range b.Entry {
					seen[e.Request.IfNoneExist]++
				}
				if wantProv {
					p := decode[Provenance](t, provs[0].Resource)
					var targets []string
					for _, r := range p.Target {
						targets = append(targets, r.Reference)
					}
					var fullURLs []string
					for _, e := range entriesOf(b, "Observation") {
						fullURLs = append(fullURLs, e.FullURL)
					}
					if !slices.Equal(targets, fullURLs) {
						t.Errorf("transaction %d: Provenance targets %v, want its Observations %v", k, targets, fullURLs)
					}
				}
				for full, o := range obs {
					if tt.device && (o.Device == nil || o.Device.Reference != devs[0].FullURL) {
						t.Errorf("transaction %d: %s device %+v does not resolve in its transaction", k, full, o.Device)
					}
				}
				if k < len(bundles)-1 {
					entries, _ := up.partMembers(k)
					for _, e := range entries {
						if !strings.Contains(string(b.Entry[e].Resource), `"Observation"`) {
							t.Errorf("part %d entry %d is not a member", k, e)
						}
						partRefs = append(partRefs, fmt.Sprintf("Observation/part%d-entry%d", k, e))
					}
				}
			}
			for cond, n := range seen {
				if cond != "" && n != 1 {
					t.Errorf("condition %s appears in %d transactions", cond, n)
				}
			}
			last := bundles[len(bundles)-1]
			obs := checkTransaction(t, last, testPatient, testSystems)
			var panel *Observation
			for _, o := range obs {
				if len(o.HasMember) > 0 {
					panel = &o
				}
			}
			if panel == nil || len(panel.HasMember) != tt.members {
				t.Fatalf("panel %+v, want %d members", panel, tt.members)
			}
			for i, r := range panel.HasMember {
				switch {
				case i < len(partRefs) && r.Reference != partRefs[i]:
					t.Errorf("member %d: %s, want the part's %s", i, r.Reference, partRefs[i])
				case i >= len(partRefs) && !strings.HasPrefix(r.Reference, "urn:uuid:"):
					t.Errorf("member %d: %s, want a member of the panel's transaction", i, r.Reference)
				}
			}
		})
	}
}

func TestChartBundleRefusesASplit(t *testing.T) {
	_, err := ChartBundle(twelveVitalChart(), testPatient, testSystems)
	if err == nil || !strings.Contains(err.Error(), "3 transactions") {
		t.Fatalf("err = %v, want ErrChartSplit naming 3 transactions", err)
	}
	up, err := MapChart(twelveVitalChart(), testPatient, testSystems)
	if err != nil {
		t.Fatal(err)
	}
	for _, refs := range [][]string{nil, {"Observation/a"}, slices.Repeat([]string{"Patient/x"}, up.inParts)} {
		if _, err := up.Panel(refs); err == nil {
			t.Errorf("Panel(%v) accepted", refs)
		}
	}
}

func TestObservationRef(t *testing.T) {
	tests := []struct {
		loc, want string
	}{
		{"Observation/abc", "Observation/abc"},
		{"Observation/abc/_history/2", "Observation/abc"},
		{"http://127.0.0.1:8103/fhir/R4/Observation/a-b.c/_history/9", "Observation/a-b.c"},
		{"https://ehr.example/fhir/Observation/x1", "Observation/x1"},
		{"/Observation/x1/", "Observation/x1"},
		{"", ""},
		{"Observation", ""},
		{"Observation/", ""},
		{"Observation/has space", ""},
		{"Patient/p1", ""},
		{"Observation/x/extra", ""},
		{"Observation/" + strings.Repeat("a", 65), ""},
	}
	for _, tt := range tests {
		got, ok := observationRef(tt.loc)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("observationRef(%q) = %q, %v; want %q", tt.loc, got, ok, tt.want)
		}
	}
}

// TestSendChartInParts sends a twelve-vital chart through a fake EHR: the
// parts go first, the panel refers to what their replies named, and an EHR
// that names no Location is asked by identifier instead.
func TestSendChartInParts(t *testing.T) {
	for _, noLocation := range []bool{false, true} {
		t.Run(fmt.Sprintf("noLocation=%v", noLocation), func(t *testing.T) {
			f := &fakeEHR{patient: testPatient, noLocation: noLocation}
			if noLocation {
				f.search = Bundle{ResourceType: "Bundle", Type: "searchset", Entry: []BundleEntry{{
					Search:   &EntrySearch{Mode: "match"},
					Resource: []byte(`{"resourceType":"Observation","id":"found-1","status":"final","code":{}}`),
				}}}
			}
			s := newFakeSender(f)
			c := twelveVitalChart()
			if err := s.Send(context.Background(), chartUnit(&c)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(f.bundles) != 3 {
				t.Fatalf("%d transactions, want 3", len(f.bundles))
			}
			o := checkTransaction(t, f.bundles[2], testPatient, testSystems)
			var members []string
			for _, x := range o {
				for _, r := range x.HasMember {
					members = append(members, r.Reference)
				}
			}
			if len(members) != 12 {
				t.Fatalf("panel has %d members, want 12", len(members))
			}
			if noLocation {
				if len(f.searches) != 12 || members[0] != "Observation/found-1" {
					t.Errorf("%d searches, first member %s; want 12 and the searched id", len(f.searches), members[0])
				}
				if q := f.searches[0].Get("identifier"); !strings.HasPrefix(q, testSystems.Observation+"|") {
					t.Errorf("searched %q, want our identifier", q)
				}
			} else if members[0] != "Observation/tx1-1" || members[6] != "Observation/tx2-1" || len(f.searches) != 0 {
				t.Errorf("members %v, %d searches; want the Locations of parts 1 and 2", members, len(f.searches))
			}
		})
	}
	t.Run("a member found twice is an error", func(t *testing.T) {
		one := BundleEntry{Search: &EntrySearch{Mode: "match"}, Resource: []byte(`{"resourceType":"Observation","id":"x","status":"final","code":{}}`)}
		f := &fakeEHR{patient: testPatient, noLocation: true, search: Bundle{ResourceType: "Bundle", Entry: []BundleEntry{one, one}}}
		c := twelveVitalChart()
		err := newFakeSender(f).Send(context.Background(), chartUnit(&c))
		if err == nil || isPermanent(err) || len(f.bundles) != 1 {
			t.Fatalf("err = %v after %d transactions, want a retryable error after part 1", err, len(f.bundles))
		}
	})
}

// FuzzMapChart maps charts of any size, device and author and checks the
// packing: no transaction over the limit, every member in exactly one, the
// panel last with all of them.
func FuzzMapChart(f *testing.F) {
	f.Add(uint8(12), true, "nurse", uint32(150456), "SN1")
	f.Add(uint8(1), false, "", uint32(150021), "")
	f.Add(uint8(200), true, "", uint32(0), "")
	f.Fuzz(func(t *testing.T, n uint8, withDevice bool, author string, code uint32, serial string) {
		c := chart("fuzz-split")
		c.Author = author
		if withDevice {
			c.Device = devices.DeviceInfo{Protocol: "p", Serial: serial}
		}
		for i := range int(n) {
			c.Vitals = append(c.Vitals, vital(code+uint32(i%7), float64(i), "%"))
		}
		up, err := MapChart(c, testPatient, testSystems)
		if n == 0 {
			if err == nil {
				t.Fatal("an empty chart was mapped")
			}
			return
		}
		if err != nil {
			t.Fatalf("MapChart: %v", err)
		}
		_, bundles := chartTransactions(t, c, testPatient, testSystems)
		if len(bundles) != up.Transactions() {
			t.Fatalf("%d transactions, Transactions says %d", len(bundles), up.Transactions())
		}
		seen := map[string]bool{}
		for k, b := range bundles {
			if len(b.Entry) > MaxTransactionEntries || len(b.Entry) == 0 {
				t.Fatalf("transaction %d has %d entries", k, len(b.Entry))
			}
			for _, e := range entriesOf(b, "Observation") {
				if seen[e.Request.IfNoneExist] {
					t.Fatalf("transaction %d repeats %s", k, e.Request.IfNoneExist)
				}
				seen[e.Request.IfNoneExist] = true
			}
		}
		if len(seen) != len(up.members)+1 {
			t.Fatalf("%d Observations sent, want %d members and the panel", len(seen), len(up.members))
		}
	})
}
