package app

import (
	"testing"
	"time"

	"telewave/alarms"
	"telewave/devices"
	"telewave/devices/sim"
)

// Times to alarm are simulated time, from the onset of the condition in
// the data to the engine's "raised" journal entry.

func TestDesaturation(t *testing.T) {
	tests := []struct {
		name     string
		final    float64
		id       string
		priority devices.Priority
		below    float64 // the limit crossed: onset is the first value under it
	}{
		{"falls to 85", 85, "spo2-low", devices.Medium, 90},
		{"falls to 76", 76, "spo2-extreme-low", devices.High, 80},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBedside(t)
			var onset time.Time
			b.numerics("oximeter", devices.MDCPulsOximSatO2, 60*time.Second, func(i int) float64 {
				v := max(tc.final, 97-float64(max(i-20, 0)))
				if v < tc.below && onset.IsZero() {
					onset = b.now
				}
				return v
			})
			got := b.raised(tc.id)
			if len(got) != 1 {
				t.Fatalf("raised %s %d times, want once; journal %+v", tc.id, len(got), b.entries)
			}
			delay := got[0].Time.Sub(onset)
			t.Logf("%s: %s %s after the first SpO2 below %g", tc.name, tc.id, delay, tc.below)
			if got[0].Priority != tc.priority {
				t.Errorf("priority %s, want %s", alarms.PriorityName(got[0].Priority), alarms.PriorityName(tc.priority))
			}
			if want := alarms.SpO2.Delay(); delay < want || delay > want+time.Second {
				t.Errorf("raised %s after onset, want %s (+1 s tick)", delay, want)
			}
			if st := b.a.Alarms(); st.Highest() != tc.priority {
				t.Errorf("bar shows %s, want %s", alarms.PriorityName(st.Highest()), alarms.PriorityName(tc.priority))
			}
		})
	}
}

// The heart rate the analysis derives from a synthetic ECG that changes
// from 75/min to another rate raises the rate alarms of the engine.
func TestHeartRateAlarmsFromTheECG(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		want map[string]devices.Priority // alarm ids, any one of which is right
	}{
		{"tachycardia 150", 150, map[string]devices.Priority{"hr-extreme-high": devices.High}},
		{"tachycardia 130", 130, map[string]devices.Priority{"hr-high": devices.Medium}},
		{"bradycardia 45", 45, map[string]devices.Priority{"hr-low": devices.Medium}},
		// 40/min is the adult extreme limit: the alarm depends on the
		// side of it the measured rate falls; checked below.
		{"bradycardia 40", 40, map[string]devices.Priority{"hr-low": devices.Medium, "hr-extreme-low": devices.High}},
		{"bradycardia 35", 35, map[string]devices.Priority{"hr-extreme-low": devices.High}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBedside(t)
			w := b.ecgLeadII("ecg", sim.ECGRate)
			w.stream(sim.NewSyntheticECG(75, 1), 30*time.Second, 1000, 0)
			if got := b.raisedKind(devices.Physiological); len(got) != 0 {
				t.Fatalf("alarms at 75/min: %+v", got)
			}
			if hr, ok := b.lastDerived("HR (telewave)"); !ok || hr.Code != devices.MDCECGHeartRate || hr.Value < 73 || hr.Value > 77 {
				t.Fatalf("HR numeric at 75/min: %+v (found %v)", hr, ok)
			}
			onset := b.now
			w.stream(sim.NewSyntheticECG(tc.rate, 2), 40*time.Second, 1000, 0)
			hr, _ := b.lastDerived("HR (telewave)")
			if hr.Value < tc.rate-2 || hr.Value > tc.rate+2 {
				t.Errorf("HR %g, want %g ± 2", hr.Value, tc.rate)
			}
			var raised []alarms.Entry
			for id := range tc.want {
				raised = append(raised, b.raised(id)...)
			}
			if len(raised) != 1 {
				t.Fatalf("raised %+v, want one of %v", raised, tc.want)
			}
			r := raised[0]
			if r.Priority != tc.want[r.AlarmID] {
				t.Errorf("%s priority %s, want %s", r.AlarmID, alarms.PriorityName(r.Priority), alarms.PriorityName(tc.want[r.AlarmID]))
			}
			if len(tc.want) > 1 && (r.AlarmID == "hr-extreme-low") != (r.Value < 40) {
				t.Errorf("%s raised at HR %g", r.AlarmID, r.Value)
			}
			// The median of 8 RR intervals moves after about 5 new ones,
			// then the engine's 5 s onset delay runs.
			delay := r.Time.Sub(onset)
			limit := alarms.HR.Delay() + time.Duration(6*60/tc.rate*float64(time.Second)) + time.Second
			t.Logf("%s: %s (%s) %s after the rate changed", tc.name, r.AlarmID, alarms.PriorityName(r.Priority), delay)
			if delay > limit {
				t.Errorf("raised %s after the change, want ≤ %s", delay, limit)
			}
		})
	}
}

// zeros is an ECG amplifier sending a digital zero line.
type zeros struct{}

func (zeros) Rate() float64          { return sim.ECGRate }
func (zeros) Channels() int          { return 1 }
func (zeros) Next(f []float64) error { f[0] = 0; return nil }

func TestAsystole(t *testing.T) {
	tests := []struct {
		name     string
		after    sim.Source
		flatWarn bool // the technical "ECG flat" comes too
	}{
		{"isoelectric line with noise", newIsoelectric(3, 0.01), false},
		{"digital zero line", zeros{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBedside(t)
			w := b.ecgLeadII("ecg", sim.ECGRate)
			w.stream(sim.NewSyntheticECG(75, 1), 30*time.Second, 1000, 0)
			stop := b.now
			w.stream(tc.after, 20*time.Second, 1000, 0)
			got := b.raised(alarms.CodeAsystole)
			if len(got) != 1 {
				t.Fatalf("asystole raised %d times, want once", len(got))
			}
			var last time.Time
			for _, beat := range b.beats {
				if beat.Time.After(stop) {
					t.Errorf("beat counted in asystole: %+v", beat)
				}
				last = beat.Time
			}
			fromBeat, fromStop := got[0].Time.Sub(last), got[0].Time.Sub(stop)
			t.Logf("%s: asystole %s after the last beat, %s after the beats stopped", tc.name, fromBeat, fromStop)
			if got[0].Priority != devices.High {
				t.Errorf("priority %s", alarms.PriorityName(got[0].Priority))
			}
			if fromBeat < 4*time.Second || fromBeat > 5*time.Second {
				t.Errorf("raised %s after the last beat, want 4–5 s", fromBeat)
			}
			for _, id := range []string{"hr-low", "hr-extreme-low"} {
				if r := b.raised(id); len(r) != 0 {
					t.Errorf("%s raised beside asystole: %+v", id, r)
				}
			}
			if n := b.raised("ecg-noise:ecg"); len(n) != 0 {
				t.Errorf("baseline noise judged too noisy to analyse: %+v", n)
			}
			if flat := len(b.raised("ecg-flat:ecg")) > 0; flat != tc.flatWarn {
				t.Errorf("ECG flat raised %v, want %v", flat, tc.flatWarn)
			}
			st := b.a.Alarms()
			if st.Highest() != devices.High || st.Alarms[0].ID != alarms.CodeAsystole || !st.Alarms[0].Flashing {
				t.Errorf("bar: %+v", st.Alarms)
			}
		})
	}
}

// Electrodes off, told by an event or by flagged chunks: a technical
// alarm, and never asystole while the ECG cannot show beats.
func TestLeadOff(t *testing.T) {
	tests := []struct {
		name  string
		event bool
	}{{"lead-off event", true}, {"LeadOff-flagged chunks", false}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBedside(t)
			w := b.ecgLeadII("ecg", sim.ECGRate)
			w.stream(sim.NewSyntheticECG(75, 1), 20*time.Second, 1000, 0)
			onset := b.now
			flags := devices.LeadOff
			if tc.event {
				b.send("ecg", &devices.Event{Kind: devices.Technical, Code: devices.EventLeadOff, Time: b.now, Text: "RA off"})
				flags = 0
			}
			w.stream(zeros{}, 20*time.Second, 1000, flags)
			got := b.raised(alarms.CodeLeadOff + ":ecg")
			if len(got) != 1 {
				t.Fatalf("lead-off raised %d times", len(got))
			}
			delay := got[0].Time.Sub(onset)
			t.Logf("%s: lead-off (%s) %s after onset", tc.name, alarms.PriorityName(got[0].Priority), delay)
			if got[0].Priority != devices.Medium || got[0].Kind != devices.Technical {
				t.Errorf("entry %+v", got[0])
			}
			if delay < 2*time.Second || delay > 3*time.Second {
				t.Errorf("raised %s after onset, want 2 s (+1 s tick)", delay)
			}
			if tc.event {
				b.send("ecg", &devices.Event{Kind: devices.Technical, Code: alarms.EventLeadOn, Time: b.now})
			}
			w.stream(sim.NewSyntheticECG(75, 4), 20*time.Second, 1000, 0)
			if p := b.raisedKind(devices.Physiological); len(p) != 0 {
				t.Errorf("physiological alarms raised: %+v", p)
			}
			for _, a := range b.a.Alarms().Alarms {
				t.Errorf("still shown after the leads came back: %+v", a)
			}
		})
	}
}

// A device that goes away mid-stream: a high technical alarm 3 s later,
// and its silent ECG raises no asystole.
func TestDeviceUnplugged(t *testing.T) {
	b := newBedside(t)
	w := b.ecgLeadII("ecg", sim.ECGRate)
	w.stream(sim.NewSyntheticECG(75, 1), 20*time.Second, 1000, 0)
	onset := b.now
	b.send("ecg", &devices.Event{Kind: devices.Technical, Code: devices.EventDisconnected, Priority: devices.Medium, Time: b.now,
		Text: "openbci on /dev/ttyUSB0: EOF"})
	b.send("ecg", &devices.State{Port: "/dev/ttyUSB0", State: devices.Disconnected, Time: b.now})
	b.advance(b.now.Add(30 * time.Second))
	got := b.raised(alarms.CodeDisconnected + ":ecg")
	if len(got) != 1 {
		t.Fatalf("disconnected raised %d times", len(got))
	}
	delay := got[0].Time.Sub(onset)
	t.Logf("unplugged: %s (%s) %s after the event", got[0].AlarmID, alarms.PriorityName(got[0].Priority), delay)
	if got[0].Priority != devices.High || delay < 3*time.Second || delay > 4*time.Second {
		t.Errorf("entry %+v after %s, want high at 3 s (+1 s tick)", got[0], delay)
	}
	if p := b.raisedKind(devices.Physiological); len(p) != 0 {
		t.Errorf("physiological alarms raised: %+v", p)
	}
	// Back: the alarm ends, the ECG is analysed afresh.
	b.send("ecg", &devices.Event{Kind: devices.Technical, Code: devices.EventConnected, Time: b.now})
	w.start, w.n = b.now, 0
	w.stream(sim.NewSyntheticECG(75, 5), 20*time.Second, 1000, devices.GapBefore)
	if st := b.a.Alarms(); len(st.Alarms) != 0 {
		t.Errorf("after reconnection: %+v", st.Alarms)
	}
	if p := b.raisedKind(devices.Physiological); len(p) != 0 {
		t.Errorf("physiological alarms raised: %+v", p)
	}
}

// The pulse rate measured on the pleth of an oximeter that sends none
// feeds the engine; beside the device's own it is informational.
func TestPulseRateFromThePleth(t *testing.T) {
	for _, own := range []bool{false, true} {
		b := newBedside(t)
		w := b.declare("oximeter", devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, MDC: devices.MDCPulsOximPleth,
			SampleRate: sim.PlethRate, Scale: 0.001})
		src := sim.NewSyntheticPleth(150, 7)
		for range 40 {
			w.stream(src, time.Second, 1000, 0)
			if own {
				b.send("oximeter", &devices.Numeric{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: 80, Unit: "/min", Time: b.now})
			}
		}
		pr, ok := b.lastDerived("PR (telewave)")
		if !ok || pr.Value < 148 || pr.Value > 152 || pr.Status != devices.Valid {
			t.Fatalf("own PR %v: derived %+v (found %v)", own, pr, ok)
		}
		raised := b.raised("pr-extreme-high")
		switch {
		case own && (pr.Code != 0 || len(raised) != 0):
			t.Errorf("beside the device's PR: code %d, raised %+v", pr.Code, raised)
		case !own && (pr.Code != devices.MDCPulsOximPulsRt || len(raised) != 1 || raised[0].Priority != devices.High):
			t.Errorf("alone: code %d, raised %+v", pr.Code, raised)
		}
	}
}
