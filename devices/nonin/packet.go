package nonin

import (
	"fmt"

	"telewave/devices"
)

// PacketFrames is the number of DF2/DF7 frames in one packet.
const PacketFrames = 25

// Values are the numerics of one DF2/DF7 packet. Heart rates are 9-bit
// (MissingHR = missing), saturations 7-bit (MissingSpO2 = missing).
type Values struct {
	HR       int // 4-beat average
	SpO2     int // 4-beat average
	SpO2D    int // SpO2 for display
	SpO2Fast int // fast-responding SpO2
	SpO2BB   int // beat-to-beat SpO2
	EHR      int // extended (8-beat) average HR
	ESpO2    int // extended average SpO2
	ESpO2D   int // extended SpO2 for display
	HRD      int // HR for display
	EHRD     int // extended HR for display
}

// Packet is what the DATA bytes of 25 frames carry, with the status bits
// seen in any of its frames.
type Packet struct {
	Values
	Firmware byte // frame 4
	Timer    int  // frames 6–7, 14 bits (layout assumed: 7 bits in each)
	Stat2    byte // frame 8: b5 SmartPoint, b0 low battery
	Status   byte // OR of the frames' STATUS bytes, SYNC bit cleared
}

// STAT2 bits.
const (
	Stat2SmartPoint byte = 0x20
	Stat2LowBattery byte = 0x01
)

// hi and lo split a 9-bit value over two frames: bits 8–7 in the first
// frame's bits 1–0, bits 6–0 in the second.
func hi(v int) byte      { return byte(v>>7) & 3 }
func lo(v int) byte      { return byte(v) & 0x7F }
func join(h, l byte) int { return int(h&3)<<7 | int(l&0x7F) }

// Data returns the DATA bytes of the packet's 25 frames, frame 1 first.
// Reserved frames carry 0.
func (p Packet) Data() [PacketFrames]byte {
	var d [PacketFrames]byte
	set := func(frame int, b byte) { d[frame-1] = b }
	set(1, hi(p.HR))
	set(2, lo(p.HR))
	set(3, byte(p.SpO2))
	set(4, p.Firmware)
	set(6, byte(p.Timer>>7)&0x7F)
	set(7, byte(p.Timer)&0x7F)
	set(8, p.Stat2)
	set(9, byte(p.SpO2D))
	set(10, byte(p.SpO2Fast))
	set(11, byte(p.SpO2BB))
	set(14, hi(p.EHR))
	set(15, lo(p.EHR))
	set(16, byte(p.ESpO2))
	set(17, byte(p.ESpO2D))
	set(20, hi(p.HRD))
	set(21, lo(p.HRD))
	set(22, hi(p.EHRD))
	set(23, lo(p.EHRD))
	return d
}

// ParsePacket reads the DATA bytes of 25 frames, frame 1 first.
func ParsePacket(d [PacketFrames]byte) Packet {
	at := func(frame int) byte { return d[frame-1] }
	sat := func(frame int) int { return int(at(frame) & 0x7F) }
	return Packet{
		Values: Values{
			HR: join(at(1), at(2)), SpO2: sat(3),
			SpO2D: sat(9), SpO2Fast: sat(10), SpO2BB: sat(11),
			EHR: join(at(14), at(15)), ESpO2: sat(16), ESpO2D: sat(17),
			HRD: join(at(20), at(21)), EHRD: join(at(22), at(23)),
		},
		Firmware: at(4),
		Timer:    int(at(6)&0x7F)<<7 | int(at(7)&0x7F),
		Stat2:    at(8),
	}
}

// Assembler gathers DF2/DF7 frames into packets, starting at a frame with
// the SYNC bit.
type Assembler struct {
	data   [PacketFrames]byte
	status byte
	n      int // frames of the current packet so far; 0 = waiting for SYNC
}

// Add takes the next frame. It returns the packet when this frame completed
// one, and lost = true when frames were missing (a SYNC frame before the
// 25th, or no SYNC after it), which discards the packet in progress.
func (a *Assembler) Add(fr Frame) (p Packet, complete, lost bool) {
	sync := fr.Status&StatusSync != 0
	switch {
	case sync:
		lost = a.n != 0
		a.n, a.status = 0, 0
	case a.n == 0:
		return Packet{}, false, false // out of step; wait for SYNC
	}
	a.data[a.n] = fr.Data
	a.status |= fr.Status &^ StatusSync
	a.n++
	if a.n < PacketFrames {
		return Packet{}, false, lost
	}
	a.n = 0
	p = ParsePacket(a.data)
	p.Status = a.status
	return p, true, lost
}

// Numeric labels and raw codes, in the order PacketNumerics emits them.
var valueNames = [...]struct{ label, raw, unit string }{
	{"PR", "HR", "/min"}, {"SpO2", "SPO2", "%"}, {"SpO2-D", "SPO2-D", "%"}, {"SpO2 fast", "SPO2-FAST", "%"},
	{"SpO2 B-B", "SPO2-BB", "%"}, {"E-HR", "E-HR", "/min"}, {"E-SpO2", "E-SPO2", "%"}, {"E-SpO2-D", "E-SPO2-D", "%"},
	{"HR-D", "HR-D", "/min"}, {"E-HR-D", "E-HR-D", "/min"},
}

// PacketNumerics returns a packet's ten numerics without times: PR and SpO2
// with their MDC codes, the display, fast, beat-to-beat and extended
// averages with Code 0 and their Nonin names as RawCode. A missing value
// or a disconnected sensor makes a value unavailable; artifact, out of
// track or a sensor alarm makes it questionable.
func PacketNumerics(p Packet) []devices.Numeric {
	v := p.Values
	vals := [...]int{v.HR, v.SpO2, v.SpO2D, v.SpO2Fast, v.SpO2BB, v.EHR, v.ESpO2, v.ESpO2D, v.HRD, v.EHRD}
	out := make([]devices.Numeric, len(vals))
	for i, x := range vals {
		nm := valueNames[i]
		missing := x == MissingSpO2
		if nm.unit == "/min" {
			missing = x == MissingHR
		}
		st := devices.Valid
		switch {
		case missing || p.Status&StatusSNSD != 0:
			st = devices.Unavailable
		case p.Status&(StatusARTF|StatusOOT|StatusSNSA) != 0:
			st = devices.QuestionableValue
		}
		var code uint32
		switch i {
		case 0:
			code = devices.MDCPulsOximPulsRt
		case 1:
			code = devices.MDCPulsOximSatO2
		}
		out[i] = devices.Numeric{Code: code, Label: nm.label, Value: float64(x), Unit: nm.unit, Status: st, RawCode: nm.raw}
	}
	return out
}

// DF8Numerics returns the PR and SpO2 of a DF8 frame without times:
// unavailable when missing, the sensor is disconnected or faulty;
// questionable on out of track, artifact or low perfusion.
func DF8Numerics(fr Frame) []devices.Numeric {
	status := func(missing bool) devices.NumericStatus {
		switch {
		case missing || fr.Status&DF8SNSD != 0 || fr.Status2&DF8SensorFault != 0:
			return devices.Unavailable
		case fr.Status&(DF8OOT|DF8Artifact|DF8LowPerfusion) != 0:
			return devices.QuestionableValue
		}
		return devices.Valid
	}
	return []devices.Numeric{
		{Code: devices.MDCPulsOximPulsRt, Label: "PR", Value: float64(fr.HR), Unit: "/min", Status: status(fr.HR == MissingHR), RawCode: "HR"},
		{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: float64(fr.SpO2), Unit: "%", Status: status(fr.SpO2 == MissingSpO2), RawCode: "SPO2"},
	}
}

// String is for test failures.
func (p Packet) String() string {
	return fmt.Sprintf("HR %d SpO2 %d (D %d fast %d BB %d) E-HR %d E-SpO2 %d/%d HR-D %d E-HR-D %d rev %d timer %d stat2 %02X status %02X",
		p.HR, p.SpO2, p.SpO2D, p.SpO2Fast, p.SpO2BB, p.EHR, p.ESpO2, p.ESpO2D, p.HRD, p.EHRD, p.Firmware, p.Timer, p.Stat2, p.Status)
}
