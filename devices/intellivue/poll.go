package intellivue

import "fmt"

// PollRequest is a single (POLL_MDIB_DATA) or extended
// (POLL_MDIB_DATA_EXT) poll: which object type to report and, for the
// extended poll, its attributes (TIME_PD_POLL, ...).
type PollRequest struct {
	Number    uint16
	Partition uint16 // PartObj
	Code      uint16 // ClassNumeric or ClassWave
	Group     uint16 // attribute group; 0 = all
	Ext       []AVA  // extended poll only
}

// Encode returns the poll request's bytes (the action argument's body).
func (p PollRequest) Encode(extended bool) []byte {
	var w wr
	w.u16(p.Number)
	w.u16(p.Partition)
	w.u16(p.Code)
	w.u16(p.Group)
	if extended {
		w.attrs(p.Ext)
	}
	return w.b
}

// ParsePollRequest reads a poll request; extended polls carry attributes.
func ParsePollRequest(b []byte, extended bool) (PollRequest, error) {
	r := &rd{b: b}
	p := PollRequest{Number: r.u16(), Partition: r.u16(), Code: r.u16(), Group: r.u16()}
	if extended {
		p.Ext = r.attrs()
	}
	if r.err != nil {
		return PollRequest{}, fmt.Errorf("poll request: %w", r.err)
	}
	return p, nil
}

// ObservationPoll is one object in a poll reply: its handle and attributes.
type ObservationPoll struct {
	Handle uint16
	Attrs  []AVA
}

// ContextPoll is the objects of one MDS context.
type ContextPoll struct {
	Context uint16
	Objects []ObservationPoll
}

// PollReply is a (linked) poll result: when the monitor took it and what it
// found.
type PollReply struct {
	Number    uint16
	Seq       uint16 // extended replies only
	RelTime   RelTime
	AbsTime   AbsTime
	Partition uint16
	Code      uint16
	Group     uint16
	Contexts  []ContextPoll
}

// Encode returns the reply's bytes (the action result's body).
func (p PollReply) Encode(extended bool) []byte {
	var w wr
	w.u16(p.Number)
	if extended {
		w.u16(p.Seq)
	}
	w.u32(uint32(p.RelTime))
	w.raw(p.AbsTime[:]...)
	w.u16(p.Partition)
	w.u16(p.Code)
	w.u16(p.Group)
	var ctxs wr
	for _, c := range p.Contexts {
		var objs wr
		for _, o := range c.Objects {
			objs.u16(o.Handle)
			objs.attrs(o.Attrs)
		}
		ctxs.u16(c.Context)
		ctxs.list(len(c.Objects), objs.b)
	}
	w.list(len(p.Contexts), ctxs.b)
	return w.b
}

// ParsePollReply reads a poll result; extended results carry a sequence
// number after the poll number.
func ParsePollReply(b []byte, extended bool) (PollReply, error) {
	r := &rd{b: b}
	p := PollReply{Number: r.u16()}
	if extended {
		p.Seq = r.u16()
	}
	p.RelTime = RelTime(r.u32())
	copy(p.AbsTime[:], r.take(8))
	p.Partition, p.Code, p.Group = r.u16(), r.u16(), r.u16()
	nc := r.u16()
	cr := &rd{b: r.sized()}
	for i := 0; i < int(nc) && cr.err == nil; i++ {
		c := ContextPoll{Context: cr.u16()}
		no := cr.u16()
		or := &rd{b: cr.sized()}
		for j := 0; j < int(no) && or.err == nil; j++ {
			o := ObservationPoll{Handle: or.u16()}
			o.Attrs = or.attrs()
			if or.err == nil {
				c.Objects = append(c.Objects, o)
			}
		}
		if err := firstErr(cr.err, or.err); err != nil {
			return PollReply{}, fmt.Errorf("poll reply context %d: %w", i, err)
		}
		p.Contexts = append(p.Contexts, c)
	}
	if err := firstErr(r.err, cr.err); err != nil {
		return PollReply{}, fmt.Errorf("poll reply: %w", err)
	}
	return p, nil
}

// Objects returns every object of the reply, context by context.
func (p PollReply) Objects() []ObservationPoll {
	var out []ObservationPoll
	for _, c := range p.Contexts {
		out = append(out, c.Objects...)
	}
	return out
}
