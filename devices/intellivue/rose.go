package intellivue

import "fmt"

// Remote operation PDU types (ROapdus.ro_type).
const (
	ROIV  uint16 = 1 // invoke
	RORS  uint16 = 2 // result
	ROER  uint16 = 3 // error
	ROLRS uint16 = 5 // linked result
)

// Command types of ROIV, RORS and ROLRS.
const (
	CmdEventReport     uint16 = 0
	CmdConfEventReport uint16 = 1
	CmdGet             uint16 = 3
	CmdSet             uint16 = 4
	CmdConfSet         uint16 = 5
	CmdConfAction      uint16 = 7
)

// Linked-result states (ROLRS linked_id.state).
const (
	LinkedFirst  uint8 = 1
	LinkedMiddle uint8 = 2
	LinkedLast   uint8 = 3
)

// RemoteOp is one remote operation in a data PDU: an invoke, a result, a
// linked result or an error, with its argument or result bytes in Body.
type RemoteOp struct {
	Type        uint16 // ROIV, RORS, ROER or ROLRS
	Invoke      uint16
	Command     uint16 // ROIV, RORS, ROLRS
	Error       uint16 // ROER error value
	LinkedState uint8  // ROLRS
	LinkedCount uint8  // ROLRS
	Body        []byte
}

// EncodeData returns the user data of a data PDU carrying op: the session
// and presentation header (E1 00 00 02), ROapdus, then the operation.
func EncodeData(op RemoteOp) []byte {
	var inner wr
	switch op.Type {
	case ROLRS:
		inner.u8(op.LinkedState)
		inner.u8(op.LinkedCount)
		inner.u16(op.Invoke)
		inner.u16(op.Command)
	case ROER:
		inner.u16(op.Invoke)
		inner.u16(op.Error)
	default:
		inner.u16(op.Invoke)
		inner.u16(op.Command)
	}
	inner.sized(op.Body)
	var w wr
	w.u16(uint16(SPDUData) << 8)
	w.u16(dataPresentation2)
	w.u16(op.Type)
	w.sized(inner.b)
	return w.b
}

// ParseData reads a data PDU's remote operation. Body aliases ud.
func ParseData(ud []byte) (RemoteOp, error) {
	r := &rd{b: ud}
	if sp := r.u16(); r.err == nil && sp != uint16(SPDUData)<<8 {
		return RemoteOp{}, fmt.Errorf("data pdu: session id %#04x", sp)
	}
	if pc := r.u16(); r.err == nil && pc != dataPresentation2 {
		return RemoteOp{}, fmt.Errorf("data pdu: presentation context %d", pc)
	}
	op := RemoteOp{Type: r.u16()}
	ro := &rd{b: r.sized()}
	if r.err != nil {
		return RemoteOp{}, fmt.Errorf("data pdu header: %w", r.err)
	}
	switch op.Type {
	case ROIV, RORS:
		op.Invoke, op.Command = ro.u16(), ro.u16()
	case ROLRS:
		op.LinkedState, op.LinkedCount = ro.u8(), ro.u8()
		op.Invoke, op.Command = ro.u16(), ro.u16()
	case ROER:
		op.Invoke, op.Error = ro.u16(), ro.u16()
	default:
		return RemoteOp{}, fmt.Errorf("data pdu: remote operation type %d", op.Type)
	}
	op.Body = ro.sized()
	if ro.err != nil {
		return RemoteOp{}, fmt.Errorf("remote operation %d: %w", op.Type, ro.err)
	}
	return op, nil
}

// ManagedObject names an object: class, context and handle.
type ManagedObject struct {
	Class, Context, Handle uint16
}

// MDS is the monitor's Medical Device System object, which polls address.
var MDS = ManagedObject{Class: ClassMDS}

func (w *wr) object(o ManagedObject) { w.u16(o.Class); w.u16(o.Context); w.u16(o.Handle) }

func (r *rd) object() ManagedObject {
	return ManagedObject{Class: r.u16(), Context: r.u16(), Handle: r.u16()}
}

// EventReport is an (confirmed) event report argument.
type EventReport struct {
	Object ManagedObject
	Time   uint32 // relative time, 1/8 ms
	Type   uint16 // e.g. NotiMDSCreate
	Info   []byte
}

// Encode returns the argument bytes.
func (e EventReport) Encode() []byte {
	var w wr
	w.object(e.Object)
	w.u32(e.Time)
	w.u16(e.Type)
	w.sized(e.Info)
	return w.b
}

// ParseEventReport reads an event report argument.
func ParseEventReport(b []byte) (EventReport, error) {
	r := &rd{b: b}
	e := EventReport{Object: r.object(), Time: r.u32(), Type: r.u16()}
	e.Info = r.sized()
	if r.err != nil {
		return EventReport{}, fmt.Errorf("event report: %w", r.err)
	}
	return e, nil
}

// EncodeEventResult returns an event report result: the object, the
// current relative time, the event type and an empty reply.
func EncodeEventResult(o ManagedObject, now uint32, typ uint16) []byte {
	var w wr
	w.object(o)
	w.u32(now)
	w.u16(typ)
	w.u16(0)
	return w.b
}

// ParseEventResult reads an event report result.
func ParseEventResult(b []byte) (o ManagedObject, now uint32, typ uint16, err error) {
	r := &rd{b: b}
	o, now, typ = r.object(), r.u32(), r.u16()
	r.sized()
	if r.err != nil {
		return o, now, typ, fmt.Errorf("event result: %w", r.err)
	}
	return o, now, typ, nil
}

// MDSCreate is the MDS create notification's information: the MDS object
// and its attributes (model, system id, ...).
type MDSCreate struct {
	Object ManagedObject
	Attrs  []AVA
}

// Encode returns the event information bytes.
func (m MDSCreate) Encode() []byte {
	var w wr
	w.object(m.Object)
	w.attrs(m.Attrs)
	return w.b
}

// ParseMDSCreate reads the MDS create notification's information.
func ParseMDSCreate(b []byte) (MDSCreate, error) {
	r := &rd{b: b}
	m := MDSCreate{Object: r.object()}
	m.Attrs = r.attrs()
	if r.err != nil {
		return MDSCreate{}, fmt.Errorf("mds create info: %w", r.err)
	}
	return m, nil
}

// Action is an action argument (with Scope) or an action result.
type Action struct {
	Object ManagedObject
	Scope  uint32 // argument only
	Type   uint16 // ActPollMDIBData or ActPollMDIBDataExt
	Body   []byte
}

// EncodeArgument returns the action argument bytes.
func (a Action) EncodeArgument() []byte {
	var w wr
	w.object(a.Object)
	w.u32(a.Scope)
	w.u16(a.Type)
	w.sized(a.Body)
	return w.b
}

// EncodeResult returns the action result bytes.
func (a Action) EncodeResult() []byte {
	var w wr
	w.object(a.Object)
	w.u16(a.Type)
	w.sized(a.Body)
	return w.b
}

// ParseActionArgument reads an action argument.
func ParseActionArgument(b []byte) (Action, error) {
	r := &rd{b: b}
	a := Action{Object: r.object(), Scope: r.u32(), Type: r.u16()}
	a.Body = r.sized()
	if r.err != nil {
		return Action{}, fmt.Errorf("action argument: %w", r.err)
	}
	return a, nil
}

// ParseActionResult reads an action result.
func ParseActionResult(b []byte) (Action, error) {
	r := &rd{b: b}
	a := Action{Object: r.object(), Type: r.u16()}
	a.Body = r.sized()
	if r.err != nil {
		return Action{}, fmt.Errorf("action result: %w", r.err)
	}
	return a, nil
}

// SetArgument replaces attributes of an object (CONF_SET), as the host does
// with the wave priority list.
type SetArgument struct {
	Object ManagedObject
	Scope  uint32
	Attrs  []AVA // each replaced (modify operator 0)
}

// Encode returns the set argument bytes.
func (s SetArgument) Encode() []byte {
	var mods wr
	for _, a := range s.Attrs {
		mods.u16(0) // REPLACE
		mods.u16(a.ID)
		mods.sized(a.Value)
	}
	var w wr
	w.object(s.Object)
	w.u32(s.Scope)
	w.list(len(s.Attrs), mods.b)
	return w.b
}

// ParseSetArgument reads a set argument; entries with an operator other
// than REPLACE are kept as if they replaced.
func ParseSetArgument(b []byte) (SetArgument, error) {
	r := &rd{b: b}
	s := SetArgument{Object: r.object(), Scope: r.u32()}
	n := r.u16()
	lr := &rd{b: r.sized()}
	for i := 0; i < int(n) && lr.err == nil; i++ {
		lr.u16()
		s.Attrs = append(s.Attrs, AVA{ID: lr.u16(), Value: lr.sized()})
	}
	if err := firstErr(r.err, lr.err); err != nil {
		return SetArgument{}, fmt.Errorf("set argument: %w", err)
	}
	return s, nil
}

// EncodeSetResult returns a set result: the object and its attributes now.
func EncodeSetResult(o ManagedObject, attrs []AVA) []byte {
	var w wr
	w.object(o)
	w.attrs(attrs)
	return w.b
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
