package view

import (
	"slices"

	"telewave/devices"
	"telewave/sync/live/wire"
)

// Alarms is the host's full list of current alarms, sent whenever it
// changes (and in every grant).
type Alarms struct {
	List []wire.AlarmRec `json:"alarms"`
}

// MessageType names the message in NDJSON's "type" field.
func (*Alarms) MessageType() string { return "alarms" }

// Marker is a marker a viewer placed, as the host echoed it to everyone.
type Marker struct {
	wire.Marker
}

// MessageType names the message in NDJSON's "type" field.
func (*Marker) MessageType() string { return "marker" }

var (
	_ devices.Message = (*Alarms)(nil)
	_ devices.Message = (*Marker)(nil)
)

// decoder turns opened payloads into device messages. It knows the
// signals by handle and marks a chunk that does not follow the last one
// of its signal as after a gap: frames the relay dropped.
type decoder struct {
	defs map[uint32]wire.SignalDef
	last map[uint32]uint64 // seq of the last chunk, per handle
	// counters
	gaps, unknown uint64
}

func newDecoder() *decoder {
	return &decoder{defs: map[uint32]wire.SignalDef{}, last: map[uint32]uint64{}}
}

// state returns the messages of a state payload or a grant's snapshot.
// A signal goes out only when it is new or changed.
func (d *decoder) state(st wire.State) []Message {
	var out []Message
	for _, def := range st.Signals {
		if old, ok := d.defs[def.Handle]; ok && old == def {
			continue
		}
		d.defs[def.Handle] = def
		sig := def.Signal
		out = append(out, Message{Device: def.Device, Msg: &sig})
	}
	for _, n := range st.Numerics {
		num := n.Numeric
		out = append(out, Message{Device: n.Device, Msg: &num})
	}
	for _, e := range st.Events {
		ev := e.Event
		out = append(out, Message{Device: e.Device, Msg: &ev})
	}
	if st.Alarms != nil {
		out = append(out, Message{Msg: &Alarms{List: slices.Clone(*st.Alarms)}})
	}
	for _, m := range st.Markers {
		out = append(out, Message{Msg: &Marker{m}}) // its own "device" field says where
	}
	return out
}

// waves returns the chunks of a wave or audio payload.
func (d *decoder) waves(p []byte) ([]Message, error) {
	_, cs, err := wire.ReadWaves(p)
	if err != nil {
		return nil, err
	}
	out := make([]Message, 0, len(cs))
	for _, c := range cs {
		def, ok := d.defs[c.Handle]
		if !ok {
			d.unknown++ // its definition has not come: cannot be drawn
			continue
		}
		flags := c.Flags
		if last, seen := d.last[c.Handle]; seen && c.Seq != last+1 {
			flags |= devices.GapBefore
			d.gaps++
		}
		d.last[c.Handle] = c.Seq
		out = append(out, Message{Device: def.Device, Msg: &devices.Chunk{
			Signal: def.Signal.ID, Seq: c.Seq, HostTime: c.Time, Flags: flags, Samples: slices.Clip(c.Samples)}})
	}
	return out, nil
}
