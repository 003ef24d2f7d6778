package contec

// Live is the content of a real-time packet (type 0x01).
type Live struct {
	Strength  uint8 // signal strength 0..15
	FingerOut bool  // finger or probe out
	Pleth     uint8 // 0..127
	Bar       uint8 // bar graph 0..15
	PR        int   // pulse rate /min, 0 = invalid
	SpO2      int   // %, 0 = invalid
	PI        int   // perfusion index in 0.01 %, -1 = not supported (FF FF)
}

// ParseLive reads a live packet; ok is false for another type or length.
func ParseLive(p Packet) (l Live, ok bool) {
	if p.Type != TypeLive || len(p.Data) != 7 {
		return Live{}, false
	}
	d := p.Data
	l = Live{
		Strength:  d[0] & 0x0F,
		FingerOut: d[0]&0x80 != 0,
		Pleth:     d[1],
		Bar:       d[2] & 0x0F,
		PR:        int(d[3]),
		SpO2:      int(d[4]),
		PI:        int(d[5])<<8 | int(d[6]),
	}
	if d[5] == 0xFF && d[6] == 0xFF {
		l.PI = -1
	}
	return l, true
}

// Packet encodes l as a live packet. Bit 4 of the bar-graph byte is set, as
// in every capture.
func (l Live) Packet() Packet {
	d := []byte{l.Strength & 0x0F, l.Pleth, l.Bar&0x0F | 0x10, byte(l.PR), byte(l.SpO2), 0xFF, 0xFF}
	if l.FingerOut {
		d[0] |= 0x80
	}
	if l.PI >= 0 && l.PI < 0xFFFF {
		d[5], d[6] = byte(l.PI>>8), byte(l.PI)
	}
	return Packet{Type: TypeLive, Data: d}
}
