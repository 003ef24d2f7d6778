package contec

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func TestLegacyDriverFingerOut(t *testing.T) {
	s := &LegacySimulator{
		FingerOut: func(t time.Duration) bool { return t >= 2*time.Second && t < 4*time.Second },
		PR:        Fixed(180), SpO2: Fixed(96),
	}
	msgs := devicetest.Run(t, s.Run, NewLegacyDriver(nil), devicetest.Count[*devices.Chunk](120)) // 6 s

	if info, ok := msgs[0].(*devices.DeviceInfo); !ok || info.Protocol != LegacyProtocol {
		t.Fatalf("first message %#v", msgs[0])
	}
	if sig, ok := msgs[1].(*devices.Signal); !ok || *sig != PlethSignal {
		t.Fatalf("second message %#v, want the V7 pleth signal", msgs[1])
	}
	var events []string
	chunk, leadOff := 0, 0
	sensorOff := false
	numerics := map[devices.NumericStatus]int{}
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Event:
			events = append(events, m.Code)
			sensorOff = m.Code == devices.EventSensorOff
		case *devices.Chunk:
			want := chunk >= 40 && chunk < 80 // packets 120..239
			if (m.Flags&devices.LeadOff != 0) != want {
				t.Errorf("chunk %d flags %b", chunk, m.Flags)
			}
			if want {
				leadOff++
			}
			chunk++
		case *devices.Numeric:
			numerics[m.Status]++
			if sensorOff != (m.Status == devices.Unavailable) {
				t.Errorf("numeric %s %v while sensor off=%v", m.Label, m.Status, sensorOff)
			}
			if m.Status == devices.Valid {
				want := map[uint32]float64{devices.MDCPulsOximSatO2: 96, devices.MDCPulsOximPulsRt: 180}[m.Code]
				if m.Value != want {
					t.Errorf("numeric %s = %g, want %g", m.Label, m.Value, want)
				}
			}
		}
	}
	if len(events) != 2 || events[0] != devices.EventSensorOff || events[1] != devices.EventSensorOn {
		t.Errorf("events %v, want sensor-off then sensor-on", events)
	}
	if leadOff != 40 {
		t.Errorf("%d lead-off chunks, want 40", leadOff)
	}
	// Packets 0, 60, 180, 300 plus both transitions (120, 240), two each.
	if total := numerics[devices.Valid] + numerics[devices.Unavailable]; total != 12 || numerics[devices.Unavailable] != 4 {
		t.Errorf("numerics %v, want 12 of which 4 unavailable", numerics)
	}
}

func TestLegacyDriverConditions(t *testing.T) {
	enc := func(ps ...LegacyPacket) []byte {
		var b []byte
		for _, p := range ps {
			e := p.Encode()
			b = append(b, e[:]...)
		}
		return b
	}
	ok := LegacyPacket{Strength: 5, Pleth: 40, PR: 250, SpO2: 98}
	search := LegacyPacket{Strength: 1, Pleth: 20, Searching: true, PR: 90, SpO2: 91}
	probe := LegacyPacket{ProbeError: true, PR: LegacyNoPR, SpO2: LegacyNoSpO2}
	tests := []struct {
		name      string
		wire      []byte
		wantFlags []devices.ChunkFlags
		wantNum   []devices.NumericStatus // SpO2, PR of packet 0
		wantNumV  [2]float64
		wantEvent []string
	}{
		{"valid, PR 250", enc(ok, ok, ok, ok, ok, ok), []devices.ChunkFlags{0, 0},
			[]devices.NumericStatus{devices.Valid, devices.Valid}, [2]float64{98, 250}, nil},
		{"searching", enc(search, search, search, ok, ok, ok), []devices.ChunkFlags{devices.Questionable, 0},
			[]devices.NumericStatus{devices.QuestionableValue, devices.QuestionableValue}, [2]float64{91, 90}, nil},
		{"probe error", enc(probe, probe, ok, ok, ok, ok), []devices.ChunkFlags{devices.LeadOff, 0},
			[]devices.NumericStatus{devices.Unavailable, devices.Unavailable}, [2]float64{127, 255}, []string{EventProbeError}},
		{"garbage between packets", append(append(enc(ok, ok, ok), 0x01, 0x02, 0x81, 0x00), enc(ok, ok, ok)...),
			[]devices.ChunkFlags{0, devices.GapBefore},
			[]devices.NumericStatus{devices.Valid, devices.Valid}, [2]float64{98, 250}, []string{devices.EventBadFrame}},
		{"garbage before the first packet is no gap", append([]byte{0x10, 0x90}, enc(ok, ok, ok, ok, ok, ok)...),
			[]devices.ChunkFlags{0, 0},
			[]devices.NumericStatus{devices.Valid, devices.Valid}, [2]float64{98, 250}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := devicetest.Run(t, devicetest.Send(tt.wire), NewLegacyDriver(nil), devicetest.Count[*devices.Chunk](len(tt.wantFlags)))
			var flags []devices.ChunkFlags
			var nums []devices.Numeric
			var events []string
			for _, m := range msgs {
				switch m := m.(type) {
				case *devices.Chunk:
					flags = append(flags, m.Flags)
				case *devices.Numeric:
					nums = append(nums, *m)
				case *devices.Event:
					events = append(events, m.Code)
				}
			}
			if !equal(flags, tt.wantFlags) {
				t.Errorf("chunk flags %v, want %v", flags, tt.wantFlags)
			}
			if len(nums) < 2 || nums[0].Status != tt.wantNum[0] || nums[1].Status != tt.wantNum[1] ||
				nums[0].Value != tt.wantNumV[0] || nums[1].Value != tt.wantNumV[1] {
				t.Errorf("numerics %+v, want statuses %v values %v", nums, tt.wantNum, tt.wantNumV)
			}
			if !equal(events, tt.wantEvent) {
				t.Errorf("events %v, want %v", events, tt.wantEvent)
			}
		})
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLegacyDriverSendsNothing(t *testing.T) {
	dev, hostEnd := devicetest.Pipe()
	got := make(chan []byte, 1)
	go func() {
		var all bytes.Buffer
		buf := make([]byte, 64)
		for {
			n, err := dev.Read(buf)
			all.Write(buf[:n])
			if err != nil {
				got <- all.Bytes()
				return
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewLegacyDriver(nil).Run(ctx, hostEnd, func(devices.Message) {}) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	hostEnd.Close()
	dev.Close()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if b := <-got; len(b) != 0 {
		t.Errorf("driver wrote % X to a one-way device", b)
	}
}
