package ads1298

import (
	"math"
	"testing"

	"telewave/devices"
)

func TestDeriveExact(t *testing.T) {
	tests := []struct {
		name  string
		i, ii int32
	}{
		{"zero", 0, 0},
		{"odd sum", 3, 4},
		{"negative", -1001, 250},
		{"rails", 1<<23 - 1, 1<<23 - 1},
		{"opposite rails", -(1 << 23), 1<<23 - 1},
		{"both negative rails", -(1 << 23), -(1 << 23)},
	}
	sigs := Signals()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := [Channels]int32{tt.i, tt.ii, 11, 12, 13, 14, 15, 16}
			got := Derive(ch)
			// Physical values from the signals' scales must equal Einthoven
			// and Goldberger computed in µV.
			i, ii := float64(tt.i)*ScaleUV, float64(tt.ii)*ScaleUV
			want := map[string]float64{"I": i, "II": ii, "III": ii - i,
				"aVR": -(i + ii) / 2, "aVL": i - ii/2, "aVF": ii - i/2, "V1": 11 * ScaleUV, "V6": 16 * ScaleUV}
			for k, s := range sigs {
				if w, ok := want[s.ID]; ok && s.Physical(got[k]) != w {
					t.Errorf("%s: %d counts = %.17g µV, want %.17g", s.ID, got[k], s.Physical(got[k]), w)
				}
				if got[k] < s.Min || got[k] > s.Max {
					t.Errorf("%s: %d outside [%d, %d]", s.ID, got[k], s.Min, s.Max)
				}
			}
		})
	}
}

// The MDC_ECG_LEAD_* codes of IEEE 11073-10101 (partition 2, 0x0100 +
// the lead's term code: I 1, II 2, V1..V6 3..8, III 61, aVR 62, aVL 63,
// aVF 64), and that each lead says so once.
func TestSignalsMDC(t *testing.T) {
	want := map[string]uint32{"I": 1, "II": 2, "III": 61, "aVR": 62, "aVL": 63, "aVF": 64,
		"V1": 3, "V2": 4, "V3": 5, "V4": 6, "V5": 7, "V6": 8}
	sigs := Signals()
	if len(sigs) != 12 {
		t.Fatalf("%d signals", len(sigs))
	}
	seen := map[uint32]bool{}
	for _, s := range sigs {
		code := 2<<16 | 0x0100 | want[s.ID]
		if s.MDC != code || seen[s.MDC] {
			t.Errorf("%s: MDC %d, want %d (once)", s.ID, s.MDC, code)
		}
		seen[s.MDC] = true
		if s.Unit != "uV" || s.SampleRate != SampleRate || s.Kind != devices.KindECG {
			t.Errorf("%s: %+v", s.ID, s)
		}
	}
	if MDCLeadI != devices.MDCECGLeadI || MDCLeadIII != devices.MDCECGLeadIII || MDCLeadV1 != devices.MDCECGLeadV1 {
		t.Error("codes disagree with package devices")
	}
}

func TestElectrodeBits(t *testing.T) {
	tests := []struct {
		e            Electrode
		statp, statn uint8
		text         string
	}{
		{0, 0, 0, "none"},
		{RA, 0, 0x03, "RA"},
		{LA, 0x01, 0, "LA"},
		{LL, 0x02, 0, "LL"},
		{V1, 0x04, 0, "V1"},
		{V6, 0x80, 0, "V6"},
		{LA | V3, 0x11, 0, "LA, V3"},
		{WCT, 0, 0xFC, "WCT"},
		{Limbs | V1 | V2 | V3 | V4 | V5 | V6 | WCT, 0xFF, 0xFF, "RA, LA, LL, V1, V2, V3, V4, V5, V6, WCT"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var p Packet
			p.SetElectrodesOff(tt.e)
			if p.LoffP != tt.statp || p.LoffN != tt.statn {
				t.Errorf("STATP %02X STATN %02X, want %02X %02X", p.LoffP, p.LoffN, tt.statp, tt.statn)
			}
			if got := p.ElectrodesOff(); got != tt.e || got.String() != tt.text {
				t.Errorf("read back %v (%q), want %q", uint16(got), got.String(), tt.text)
			}
		})
	}
	// Either RA input alone reads as RA; one WCT input as WCT.
	for _, p := range []Packet{{LoffN: 0x01}, {LoffN: 0x02}} {
		if p.ElectrodesOff() != RA {
			t.Errorf("STATN %02X read as %v", p.LoffN, p.ElectrodesOff())
		}
	}
	if (Packet{LoffN: 0x10}).ElectrodesOff() != WCT {
		t.Error("IN5N off not read as WCT")
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		mV   float64
		want int32
	}{
		{0, 0}, {1, 20972}, {-1, -20972}, {1000, 1<<23 - 1}, {-1000, -(1 << 23)}, {math.Inf(1), 1<<23 - 1},
	}
	for _, tt := range tests {
		if got := Counts(tt.mV); got != tt.want {
			t.Errorf("Counts(%g) = %d, want %d", tt.mV, got, tt.want)
		}
	}
}
