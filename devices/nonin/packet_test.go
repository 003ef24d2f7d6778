package nonin

import (
	"testing"

	"telewave/devices"
)

// framesOf returns the 25 DF7 frames carrying p, frame 1 with SYNC.
func framesOf(p Packet, status byte) []Frame {
	d := p.Data()
	out := make([]Frame, PacketFrames)
	for i := range out {
		out[i] = Frame{Status: 0x80 | status, Pleth: uint16(i), Data: d[i]}
	}
	out[0].Status |= StatusSync
	return out
}

func TestHRLayout(t *testing.T) {
	tests := []struct {
		hr     int
		f1, f2 byte
	}{
		{72, 0x00, 0x48},
		{127, 0x00, 0x7F},
		{128, 0x01, 0x00},
		{180, 0x01, 0x34},
		{250, 0x01, 0x7A},
		{300, 0x02, 0x2C},
		{MissingHR, 0x03, 0x7F},
	}
	for _, tt := range tests {
		d := Packet{Values: Values{HR: tt.hr}}.Data()
		if d[0] != tt.f1 || d[1] != tt.f2 {
			t.Errorf("HR %d: frames 1-2 carry %02X %02X, want %02X %02X", tt.hr, d[0], d[1], tt.f1, tt.f2)
		}
		var raw [PacketFrames]byte
		raw[0], raw[1] = tt.f1|0xFC, tt.f2|0x80 // unused bits set: ignored
		if got := ParsePacket(raw).HR; got != tt.hr {
			t.Errorf("frames %02X %02X: HR %d, want %d", raw[0], raw[1], got, tt.hr)
		}
	}
}

func TestPacketRoundTrip(t *testing.T) {
	p := Packet{
		Values:   Values{HR: 180, SpO2: 96, SpO2D: 95, SpO2Fast: 94, SpO2BB: 93, EHR: 250, ESpO2: 92, ESpO2D: 91, HRD: 181, EHRD: 251},
		Firmware: 0x2A, Timer: 12345, Stat2: Stat2LowBattery | Stat2SmartPoint,
	}
	var a Assembler
	var got []Packet
	for _, fr := range framesOf(p, StatusARTF) {
		q, complete, lost := a.Add(fr)
		if lost {
			t.Fatal("lost")
		}
		if complete {
			got = append(got, q)
		}
	}
	want := p
	want.Status = 0x80 | StatusARTF
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestAssemblerLoss(t *testing.T) {
	p := Packet{Values: Values{HR: 60, SpO2: 99}}
	fs := framesOf(p, 0)
	tests := []struct {
		name     string
		frames   []Frame
		packets  int
		lostSeen bool
	}{
		{"whole", fs, 1, false},
		{"started mid-packet", append(append([]Frame{}, fs[10:]...), fs...), 1, false},
		{"frames missing", append(append([]Frame{}, fs[:12]...), fs...), 1, true},
		{"two packets", append(append([]Frame{}, fs...), fs...), 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Assembler
			n, lostSeen := 0, false
			for _, fr := range tt.frames {
				q, complete, lost := a.Add(fr)
				lostSeen = lostSeen || lost
				if complete {
					n++
					if q.HR != 60 || q.SpO2 != 99 {
						t.Errorf("packet %v", q)
					}
				}
			}
			if n != tt.packets || lostSeen != tt.lostSeen {
				t.Errorf("%d packets, lost %v; want %d, %v", n, lostSeen, tt.packets, tt.lostSeen)
			}
		})
	}
}

func TestPacketNumerics(t *testing.T) {
	v := Values{HR: 250, SpO2: 96, SpO2D: 95, SpO2Fast: 94, SpO2BB: MissingSpO2, EHR: MissingHR, ESpO2: 92, ESpO2D: 91, HRD: 181, EHRD: 251}
	tests := []struct {
		name   string
		status byte
		want   []devices.NumericStatus // for PR, SpO2, SpO2 B-B, E-HR
	}{
		{"clean", 0x80, []devices.NumericStatus{devices.Valid, devices.Valid, devices.Unavailable, devices.Unavailable}},
		{"artifact", 0x80 | StatusARTF, []devices.NumericStatus{devices.QuestionableValue, devices.QuestionableValue, devices.Unavailable, devices.Unavailable}},
		{"out of track", 0x80 | StatusOOT, []devices.NumericStatus{devices.QuestionableValue, devices.QuestionableValue, devices.Unavailable, devices.Unavailable}},
		{"sensor off", 0x80 | StatusSNSD | StatusARTF, []devices.NumericStatus{devices.Unavailable, devices.Unavailable, devices.Unavailable, devices.Unavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := PacketNumerics(Packet{Values: v, Status: tt.status})
			if len(ns) != 10 {
				t.Fatalf("%d numerics", len(ns))
			}
			if ns[0].Code != devices.MDCPulsOximPulsRt || ns[0].Value != 250 || ns[0].Unit != "/min" ||
				ns[1].Code != devices.MDCPulsOximSatO2 || ns[1].Value != 96 || ns[1].Unit != "%" {
				t.Errorf("PR/SpO2 %+v %+v", ns[0], ns[1])
			}
			for _, n := range ns[2:] {
				if n.Code != 0 || n.RawCode == "" || n.Label == "" {
					t.Errorf("extended numeric without raw code: %+v", n)
				}
			}
			if ns[9].RawCode != "E-HR-D" || ns[9].Value != 251 || ns[7].RawCode != "E-SPO2-D" || ns[7].Value != 91 {
				t.Errorf("extended values %+v %+v", ns[7], ns[9])
			}
			got := []devices.NumericStatus{ns[0].Status, ns[1].Status, ns[4].Status, ns[5].Status}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("statuses %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}
