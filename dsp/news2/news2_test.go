package news2

import (
	"errors"
	"slices"
	"testing"
)

// TestChartBoundaries walks both sides of every band edge of every
// parameter of RCP Chart 1.
func TestChartBoundaries(t *testing.T) {
	v := Value
	tests := []struct {
		name string
		in   Input
		p    Parameter
		want int
	}{
		// Respiration rate: ≤8 3 | 9–11 1 | 12–20 0 | 21–24 2 | ≥25 3
		{"RR 8", Input{RespirationRate: v(8)}, RespirationRate, 3},
		{"RR 9", Input{RespirationRate: v(9)}, RespirationRate, 1},
		{"RR 11", Input{RespirationRate: v(11)}, RespirationRate, 1},
		{"RR 12", Input{RespirationRate: v(12)}, RespirationRate, 0},
		{"RR 20", Input{RespirationRate: v(20)}, RespirationRate, 0},
		{"RR 21", Input{RespirationRate: v(21)}, RespirationRate, 2},
		{"RR 24", Input{RespirationRate: v(24)}, RespirationRate, 2},
		{"RR 25", Input{RespirationRate: v(25)}, RespirationRate, 3},
		{"RR 20.4 charted 20", Input{RespirationRate: v(20.4)}, RespirationRate, 0},
		// SpO2 scale 1: ≤91 3 | 92–93 2 | 94–95 1 | ≥96 0
		{"S1 91", Input{SpO2: v(91)}, SpO2, 3},
		{"S1 92", Input{SpO2: v(92)}, SpO2, 2},
		{"S1 93", Input{SpO2: v(93)}, SpO2, 2},
		{"S1 94", Input{SpO2: v(94)}, SpO2, 1},
		{"S1 95", Input{SpO2: v(95)}, SpO2, 1},
		{"S1 96", Input{SpO2: v(96)}, SpO2, 0},
		{"S1 100 on oxygen", Input{SpO2: v(100), Supplement: Oxygen}, SpO2, 0},
		// SpO2 scale 2: ≤83 3 | 84–85 2 | 86–87 1 | 88–92 (or ≥93 on air) 0 |
		// 93–94 on O2 1 | 95–96 on O2 2 | ≥97 on O2 3
		{"S2 83", Input{SpO2: v(83), Scale2: true}, SpO2, 3},
		{"S2 84", Input{SpO2: v(84), Scale2: true}, SpO2, 2},
		{"S2 85", Input{SpO2: v(85), Scale2: true}, SpO2, 2},
		{"S2 86", Input{SpO2: v(86), Scale2: true}, SpO2, 1},
		{"S2 87", Input{SpO2: v(87), Scale2: true}, SpO2, 1},
		{"S2 88", Input{SpO2: v(88), Scale2: true}, SpO2, 0},
		{"S2 92 on O2", Input{SpO2: v(92), Scale2: true, Supplement: Oxygen}, SpO2, 0},
		{"S2 93 on air", Input{SpO2: v(93), Scale2: true, Supplement: Air}, SpO2, 0},
		{"S2 99 on air", Input{SpO2: v(99), Scale2: true, Supplement: Air}, SpO2, 0},
		{"S2 93 on O2", Input{SpO2: v(93), Scale2: true, Supplement: Oxygen}, SpO2, 1},
		{"S2 94 on O2", Input{SpO2: v(94), Scale2: true, Supplement: Oxygen}, SpO2, 1},
		{"S2 95 on O2", Input{SpO2: v(95), Scale2: true, Supplement: Oxygen}, SpO2, 2},
		{"S2 96 on O2", Input{SpO2: v(96), Scale2: true, Supplement: Oxygen}, SpO2, 2},
		{"S2 97 on O2", Input{SpO2: v(97), Scale2: true, Supplement: Oxygen}, SpO2, 3},
		{"S2 100 on O2", Input{SpO2: v(100), Scale2: true, Supplement: Oxygen}, SpO2, 3},
		// Air or oxygen: air 0 | oxygen 2
		{"air", Input{Supplement: Air}, AirOrOxygen, 0},
		{"oxygen", Input{Supplement: Oxygen}, AirOrOxygen, 2},
		// Systolic BP: ≤90 3 | 91–100 2 | 101–110 1 | 111–219 0 | ≥220 3
		{"SBP 90", Input{SystolicBP: v(90)}, SystolicBP, 3},
		{"SBP 91", Input{SystolicBP: v(91)}, SystolicBP, 2},
		{"SBP 100", Input{SystolicBP: v(100)}, SystolicBP, 2},
		{"SBP 101", Input{SystolicBP: v(101)}, SystolicBP, 1},
		{"SBP 110", Input{SystolicBP: v(110)}, SystolicBP, 1},
		{"SBP 111", Input{SystolicBP: v(111)}, SystolicBP, 0},
		{"SBP 219", Input{SystolicBP: v(219)}, SystolicBP, 0},
		{"SBP 220", Input{SystolicBP: v(220)}, SystolicBP, 3},
		// Pulse: ≤40 3 | 41–50 1 | 51–90 0 | 91–110 1 | 111–130 2 | ≥131 3
		{"pulse 40", Input{Pulse: v(40)}, Pulse, 3},
		{"pulse 41", Input{Pulse: v(41)}, Pulse, 1},
		{"pulse 50", Input{Pulse: v(50)}, Pulse, 1},
		{"pulse 51", Input{Pulse: v(51)}, Pulse, 0},
		{"pulse 90", Input{Pulse: v(90)}, Pulse, 0},
		{"pulse 91", Input{Pulse: v(91)}, Pulse, 1},
		{"pulse 110", Input{Pulse: v(110)}, Pulse, 1},
		{"pulse 111", Input{Pulse: v(111)}, Pulse, 2},
		{"pulse 130", Input{Pulse: v(130)}, Pulse, 2},
		{"pulse 131", Input{Pulse: v(131)}, Pulse, 3},
		// Consciousness: alert 0 | new confusion, voice, pain, unresponsive 3
		{"alert", Input{Consciousness: Alert}, Consciousness, 0},
		{"new confusion", Input{Consciousness: NewConfusion}, Consciousness, 3},
		{"voice", Input{Consciousness: Voice}, Consciousness, 3},
		{"pain", Input{Consciousness: Pain}, Consciousness, 3},
		{"unresponsive", Input{Consciousness: Unresponsive}, Consciousness, 3},
		// Temperature: ≤35.0 3 | 35.1–36.0 1 | 36.1–38.0 0 | 38.1–39.0 1 | ≥39.1 2
		{"T 35.0", Input{Temperature: v(35.0)}, Temperature, 3},
		{"T 35.1", Input{Temperature: v(35.1)}, Temperature, 1},
		{"T 36.0", Input{Temperature: v(36.0)}, Temperature, 1},
		{"T 36.1", Input{Temperature: v(36.1)}, Temperature, 0},
		{"T 38.0", Input{Temperature: v(38.0)}, Temperature, 0},
		{"T 38.1", Input{Temperature: v(38.1)}, Temperature, 1},
		{"T 39.0", Input{Temperature: v(39.0)}, Temperature, 1},
		{"T 39.1", Input{Temperature: v(39.1)}, Temperature, 2},
		{"T 36.04 charted 36.0", Input{Temperature: v(36.04)}, Temperature, 1},
		{"T 36.06 charted 36.1", Input{Temperature: v(36.06)}, Temperature, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := r.Score(tc.p)
			if !ok || got != tc.want {
				t.Errorf("%s = %d (scored %v), want %d", tc.p, got, ok, tc.want)
			}
			if r.Complete {
				t.Errorf("one parameter given, result says complete")
			}
		})
	}
}

func normal() Input {
	return Input{
		RespirationRate: Value(16), SpO2: Value(97), Supplement: Air,
		SystolicBP: Value(125), Pulse: Value(72), Consciousness: Alert,
		Temperature: Value(36.8),
	}
}

// TestWorkedCases scores whole observation sets worked by hand from the
// chart, one per risk band and response.
func TestWorkedCases(t *testing.T) {
	with := func(f func(*Input)) Input { in := normal(); f(&in); return in }
	tests := []struct {
		name       string
		in         Input
		total      int
		risk       Risk
		monitoring string
	}{
		{"all normal", normal(), 0, LowRisk, "minimum 12-hourly"},
		{"pulse 95, T 38.2 (1+1)", with(func(i *Input) { i.Pulse = Value(95); i.Temperature = Value(38.2) }), 2, LowRisk, "minimum 4–6-hourly"},
		{"on oxygen SpO2 95 (2+1)", with(func(i *Input) { i.Supplement = Oxygen; i.SpO2 = Value(95) }), 3, LowRisk, "minimum 4–6-hourly"},
		{"RR 22, pulse 112 (2+2)", with(func(i *Input) { i.RespirationRate = Value(22); i.Pulse = Value(112) }), 4, LowRisk, "minimum 4–6-hourly"},
		{"new confusion alone (3)", with(func(i *Input) { i.Consciousness = NewConfusion }), 3, LowMediumRisk, "minimum 1-hourly"},
		{"SBP 88 and T 38.5 (3+1)", with(func(i *Input) { i.SystolicBP = Value(88); i.Temperature = Value(38.5) }), 4, LowMediumRisk, "minimum 1-hourly"},
		{"RR 23, pulse 115, T 39.3 (2+2+2)", with(func(i *Input) { i.RespirationRate = Value(23); i.Pulse = Value(115); i.Temperature = Value(39.3) }), 6, MediumRisk, "minimum 1-hourly"},
		{"SpO2 91 on air, pulse 105, SBP 105 (3+1+1)", with(func(i *Input) { i.SpO2 = Value(91); i.Pulse = Value(105); i.SystolicBP = Value(105) }), 5, MediumRisk, "minimum 1-hourly"},
		{"septic: RR 26, O2, SpO2 93, SBP 95, pulse 125, T 39.4 (3+2+2+2+2+2)", with(func(i *Input) {
			i.RespirationRate = Value(26)
			i.Supplement = Oxygen
			i.SpO2 = Value(93)
			i.SystolicBP = Value(95)
			i.Pulse = Value(125)
			i.Temperature = Value(39.4)
		}), 13, HighRisk, "continuous monitoring of vital signs"},
		{"COPD scale 2, SpO2 89 on air: 0", with(func(i *Input) { i.Scale2 = true; i.SpO2 = Value(89) }), 0, LowRisk, "minimum 12-hourly"},
		{"COPD scale 2 on O2 at 97 %: 3+2", with(func(i *Input) { i.Scale2 = true; i.Supplement = Oxygen; i.SpO2 = Value(97) }), 5, MediumRisk, "minimum 1-hourly"},
		{"same on scale 1: 0+2", with(func(i *Input) { i.Supplement = Oxygen; i.SpO2 = Value(97) }), 2, LowRisk, "minimum 4–6-hourly"},
		{"extremes: every parameter red (3+3+2+3+3+3+3)", Input{
			RespirationRate: Value(6), SpO2: Value(85), Supplement: Oxygen, SystolicBP: Value(80),
			Pulse: Value(35), Consciousness: Unresponsive, Temperature: Value(34.5),
		}, 20, HighRisk, "continuous monitoring of vital signs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Complete || len(r.Missing) != 0 {
				t.Errorf("complete set reported incomplete: missing %v", r.Missing)
			}
			if r.Total != tc.total || r.Risk != tc.risk || r.Response.Monitoring != tc.monitoring {
				t.Errorf("total %d risk %s monitoring %q, want %d %s %q", r.Total, r.Risk, r.Response.Monitoring, tc.total, tc.risk, tc.monitoring)
			}
			sum := 0
			for _, s := range r.Scores {
				sum += s
			}
			if sum != r.Total || len(r.Response.Actions) == 0 {
				t.Errorf("sub-scores sum to %d, total %d, %d actions", sum, r.Total, len(r.Response.Actions))
			}
		})
	}
}

func TestIncomplete(t *testing.T) {
	in := normal()
	in.Temperature = nil
	in.Consciousness = LevelUnknown
	in.Pulse = Value(135)
	r, err := Score(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || !slices.Equal(r.Missing, []Parameter{Consciousness, Temperature}) {
		t.Errorf("complete %v missing %v, want incomplete with consciousness and temperature", r.Complete, r.Missing)
	}
	if r.Total != 3 || r.Risk != LowMediumRisk {
		t.Errorf("partial total %d risk %s, want 3 low-medium", r.Total, r.Risk)
	}
	// Scale 2 above 92 % cannot be scored without knowing air or oxygen.
	r, err = Score(Input{SpO2: Value(95), Scale2: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Score(SpO2); ok || !slices.Contains(r.Missing, SpO2) {
		t.Errorf("scale 2 SpO2 95 %% with supplement unknown was scored")
	}
}

func TestImplausible(t *testing.T) {
	for _, in := range []Input{
		{SpO2: Value(101)}, {Temperature: Value(98.6)}, {RespirationRate: Value(-1)}, {SystolicBP: Value(0)},
	} {
		if _, err := Score(in); !errors.Is(err, ErrImplausible) {
			t.Errorf("Score(%+v) = %v, want ErrImplausible", in, err)
		}
	}
}

func TestResponseNotShared(t *testing.T) {
	a, _ := Score(normal())
	a.Response.Actions[0] = "changed"
	b, _ := Score(normal())
	if b.Response.Actions[0] == "changed" {
		t.Error("Result.Response.Actions aliases the package's table")
	}
}
