package scpecg

import (
	"math"
	"testing"

	"telewave/formats/ecg12"
)

func TestGlobalMeasurements(t *testing.T) {
	nan := math.NaN()
	block := func(b *body, pOn, pOff, qOn, qOff, tOff uint16, axes ...int16) {
		for _, v := range []uint16{pOn, pOff, qOn, qOff, tOff} {
			b.u16(v)
		}
		for _, a := range axes {
			b.u16(uint16(a))
		}
	}
	tests := []struct {
		name  string
		build func() body
		want  map[string]float64
	}{
		{"version 1: no rates, rate from RR", func() body {
			b := body{1, 0}
			b.u16(800)
			b.u16(notComputed)
			block(&b, 100, 200, 260, 350, 640, 60, 45, 999)
			return b
		}, map[string]float64{"VentricularRate": 75, "AtrialRate": nan, "RRInterval": 800, "PRInterval": 160, "PDuration": 100,
			"QRSDuration": 90, "QTInterval": 380, "QTc": nan, "PAxis": 60, "QRSAxis": 45, "TAxis": nan}},
		{"pacemaker spikes and QRS types before the rates", func() body {
			b := body{2, 2}
			b.u16(600)
			b.u16(600)
			block(&b, notComputed, notComputed, 40, 160, 420, 999, -90, 120)
			block(&b, 1, 2, 3, 4, 5, 6, 7, 8) // a second beat type: not the dominant beat
			b = append(b, make([]byte, 2*4+2*6)...)
			b.u16(3)
			b = append(b, 0, 0, 1)
			b.u16(98) // the cart's own rate wins over 60000/RR
			b.u16(101)
			b.u16(455)
			return b
		}, map[string]float64{"VentricularRate": 98, "AtrialRate": 101, "RRInterval": 600, "PPInterval": 600, "PRInterval": nan, "PDuration": nan,
			"QRSDuration": 120, "QTInterval": 380, "QTc": 455, "PAxis": nan, "QRSAxis": -90, "TAxis": 120}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := readGlobal(&section{id: 7, body: tc.build(), protocol: 20})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]ecg12.Measurement{}
			for _, m := range ms {
				got[m.Name] = m
			}
			for name, want := range tc.want {
				if v := got[name].Value; !(v == want || math.IsNaN(v) && math.IsNaN(want)) || got[name].Unit == "" {
					t.Errorf("%s = %v %s, want %v", name, v, got[name].Unit, want)
				}
			}
		})
	}
	if _, err := readGlobal(&section{id: 7, body: body{3, 0, 1, 2, 3, 4}}); err == nil {
		t.Error("three measurement blocks in 6 bytes read")
	}
}

func TestLeadMeasurements(t *testing.T) {
	b := body{}
	b.u16(2)
	b.u16(0)
	b.u16(1) // lead I: P duration, PR, QRS, QT then Q..S' durations and Q, R amplitudes
	vals := []uint16{96, 150, 88, notComputed, 20, 40, 28, 0, 0, uint16(0x10000 - 120), 1200}
	b.u16(uint16(2 * len(vals)))
	for _, v := range vals {
		b.u16(v)
	}
	b.u16(62) // aVR with no values
	b.u16(0)
	lm, err := readLeadMeasurements(&section{id: 10, body: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(lm) != 2 || lm[0].Lead != "I" || lm[1].Lead != "aVR" || len(lm[0].Measurements) != len(vals) || len(lm[1].Measurements) != 0 {
		t.Fatalf("%+v", lm)
	}
	m := lm[0].Measurements
	if m[0].Name != "PDuration" || m[0].Value != 96 || !math.IsNaN(m[3].Value) || m[9].Name != "QAmplitude" || m[9].Value != -120 ||
		m[9].Unit != "uV" || m[10].Value != 1200 {
		t.Errorf("%+v", m)
	}
	b[7] = 0xFF // lead I's byte length past the section
	if _, err := readLeadMeasurements(&section{id: 10, body: b}); err == nil {
		t.Error("overlong lead measurements read")
	}
}

func TestLeadNames(t *testing.T) {
	tests := []struct {
		id   int
		name string
	}{{0, "unspecified"}, {1, "I"}, {2, "II"}, {3, "V1"}, {8, "V6"}, {9, "V7"}, {10, "V2R"}, {16, "X"}, {19, "CC5"}, {21, "LA"},
		{61, "III"}, {62, "aVR"}, {63, "aVL"}, {64, "aVF"}, {65, "-aVR"}, {66, "V8"}, {67, "V9"}, {86, "Chest"}, {150, "CV6LU"}, {151, "V10"}, {184, "dV10"}, {185, "lead 185"}}
	for _, tc := range tests {
		if got := LeadName(tc.id); got != tc.name {
			t.Errorf("LeadName(%d) = %q, want %q", tc.id, got, tc.name)
		}
		if tc.id > 0 && tc.id < len(leadNames) && leadID(tc.name) != tc.id {
			t.Errorf("leadID(%q) = %d", tc.name, leadID(tc.name))
		}
	}
}
