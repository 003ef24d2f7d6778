// Package devices holds the domain types every device driver speaks
// (signals, chunks, numerics, events), the driver and port interfaces, the
// registry of protocols and the supervisor that keeps a port streaming.
//
// It imports only the standard library: protocol packages, the app, storage
// and sync build on it, never the reverse.
package devices

import (
	"fmt"
	"time"
)

// SignalKind says what physiological quantity a waveform carries.
type SignalKind int

// The waveform kinds the workstation knows how to display and store.
const (
	KindOther SignalKind = iota
	KindECG
	KindPleth
	KindPressure
	KindRespiration
	KindAudio
)

var kindNames = [...]string{"other", "ecg", "pleth", "pressure", "respiration", "audio"}

// String returns the lower-case name used in NDJSON and the store.
func (k SignalKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseSignalKind is the inverse of SignalKind.String.
func ParseSignalKind(s string) (SignalKind, error) {
	for i, n := range kindNames {
		if n == s {
			return SignalKind(i), nil
		}
	}
	return KindOther, fmt.Errorf("unknown signal kind %q", s)
}

// Signal describes one waveform a device streams. Samples travel as integer
// counts; the physical value is (count - Baseline) * Scale in Unit.
type Signal struct {
	ID         string     `json:"id"`    // stable within one device, e.g. "ecg-1"
	Label      string     `json:"label"` // as the clinician reads it, e.g. "ECG II"
	Kind       SignalKind `json:"kind"`
	MDC        uint32     `json:"mdc,omitempty"` // ISO/IEEE 11073-10101 code, 0 if unknown
	Unit       string     `json:"unit"`          // UCUM
	SampleRate float64    `json:"rate"`          // samples per second
	Scale      float64    `json:"scale"`         // Unit per count
	Baseline   int32      `json:"baseline"`      // count that means zero
	Min        int32      `json:"min"`           // valid range, in counts
	Max        int32      `json:"max"`
	// RawCode is the protocol's own code for the wave (e.g. "0x0002:0x0102"
	// for an IntelliVue physio id), kept so that a wave the workstation has
	// no MDC mapping for still arrives and shows as such.
	RawCode string `json:"raw_code,omitempty"`
}

// Physical converts a count to the signal's unit.
func (s Signal) Physical(count int32) float64 {
	return float64(count-s.Baseline) * s.Scale
}

// ChunkFlags mark what a clinician or an analyser must know about a chunk.
type ChunkFlags uint8

// Chunk flags.
const (
	// GapBefore: samples were lost between the previous chunk of this signal
	// and this one (packet counter jump, reconnect, dropped bytes).
	GapBefore ChunkFlags = 1 << iota
	// LeadOff: the sensor or electrode was off for some of the chunk.
	LeadOff
	// Questionable: the device flagged the values as unreliable.
	Questionable
)

// Chunk is a run of consecutive samples of one signal.
type Chunk struct {
	Signal     string     `json:"signal"`               // Signal.ID
	Seq        uint64     `json:"seq"`                  // per-signal chunk number, from 0 for a session
	DeviceTime time.Time  `json:"device_time,omitzero"` // first sample, device clock (zero if it has none)
	HostTime   time.Time  `json:"host_time"`            // first sample, host clock
	Samples    []int32    `json:"samples"`              // counts
	Flags      ChunkFlags `json:"flags,omitempty"`
}

// NumericStatus says whether a numeric value may be shown as measured.
type NumericStatus int

// Numeric statuses.
const (
	Valid NumericStatus = iota
	QuestionableValue
	Unavailable
)

var statusNames = [...]string{"valid", "questionable", "unavailable"}

// String returns "valid", "questionable" or "unavailable".
func (s NumericStatus) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("status(%d)", int(s))
	}
	return statusNames[s]
}

// MarshalText makes the status read as a word in JSON.
func (s NumericStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses the word written by MarshalText.
func (s *NumericStatus) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = NumericStatus(i)
			return nil
		}
	}
	return fmt.Errorf("unknown numeric status %q", b)
}

// MarshalText makes the kind read as a word in JSON.
func (k SignalKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses the word written by MarshalText.
func (k *SignalKind) UnmarshalText(b []byte) error {
	v, err := ParseSignalKind(string(b))
	*k = v
	return err
}

// Numeric is one measured value. Codes the workstation does not know are
// passed through with their raw code and label, never dropped.
type Numeric struct {
	Code   uint32        `json:"code"` // MDC code
	Label  string        `json:"label"`
	Value  float64       `json:"value"`
	Unit   string        `json:"unit"` // UCUM
	Time   time.Time     `json:"time"`
	Status NumericStatus `json:"status"`
	// RawCode is the protocol's own code for the value (an IntelliVue
	// physio id, a Medibus code, a Masimo key): a numeric the workstation
	// does not know arrives with Code 0, its RawCode and its label.
	RawCode string `json:"raw_code,omitempty"`
}

// EventKind separates technical conditions from physiological ones.
type EventKind int

// Event kinds.
const (
	Technical EventKind = iota
	Physiological
)

// Priority follows IEC 60601-1-8: information, low, medium, high.
type Priority int

// Priorities.
const (
	Info Priority = iota
	Low
	Medium
	High
)

// Event codes the core emits. Drivers may add their own.
const (
	EventConnected    = "connected"
	EventDisconnected = "disconnected"
	EventSensorOff    = "sensor-off"
	EventSensorOn     = "sensor-on"
	EventLeadOff      = "lead-off"
	EventDataGap      = "data-gap"
	EventBadFrame     = "bad-frame"
)

// Event is something that happened at a time: a sensor came off, the
// port went away, a frame failed its checksum.
type Event struct {
	Kind     EventKind `json:"kind"`
	Code     string    `json:"code"`
	Text     string    `json:"text"`
	Time     time.Time `json:"time"`
	Priority Priority  `json:"priority"`
}

// DeviceInfo identifies the device behind a port.
type DeviceInfo struct {
	Protocol string `json:"protocol"`
	Model    string `json:"model,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Firmware string `json:"firmware,omitempty"`
	Port     string `json:"port,omitempty"`
	VIDPID   string `json:"vidpid,omitempty"` // lower-case "10c4:ea60"
}

// ConnState is the supervisor's view of a port.
type ConnState int

// Connection states.
const (
	Connecting ConnState = iota
	Streaming
	Disconnected
	Stopped
)

var connNames = [...]string{"connecting", "streaming", "disconnected", "stopped"}

// String returns the state as a word.
func (c ConnState) String() string {
	if c < 0 || int(c) >= len(connNames) {
		return fmt.Sprintf("state(%d)", int(c))
	}
	return connNames[c]
}

// MarshalText makes the state read as a word in JSON.
func (c ConnState) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// State reports a change of a port's connection state.
type State struct {
	Port  string    `json:"port"`
	State ConnState `json:"state"`
	Err   string    `json:"error,omitempty"`
	Time  time.Time `json:"time"`
}

// Message is what a driver emits: one of *DeviceInfo, *Signal, *Chunk,
// *Numeric, *Event or *State.
type Message interface {
	MessageType() string
}

// MessageType names the message in NDJSON's "type" field.
func (*DeviceInfo) MessageType() string { return "device" }

// MessageType names the message in NDJSON's "type" field.
func (*Signal) MessageType() string { return "signal" }

// MessageType names the message in NDJSON's "type" field.
func (*Chunk) MessageType() string { return "chunk" }

// MessageType names the message in NDJSON's "type" field.
func (*Numeric) MessageType() string { return "numeric" }

// MessageType names the message in NDJSON's "type" field.
func (*Event) MessageType() string { return "event" }

// MessageType names the message in NDJSON's "type" field.
func (*State) MessageType() string { return "state" }

// Emit receives a driver's messages. It must not block for long: the hub
// behind it fans out without waiting on slow subscribers.
type Emit func(Message)

// Well-known MDC codes used by the core drivers.
const (
	MDCPulsOximSatO2   uint32 = 150456 // SpO2
	MDCPulsOximPulsRt  uint32 = 149530 // pulse rate from the oximeter
	MDCPulsOximPleth   uint32 = 150452
	MDCPulsOximPerfRel uint32 = 150488 // perfusion index
	MDCECGHeartRate    uint32 = 147842
	MDCECGElecPotl     uint32 = 131328 // unspecified lead
	MDCECGLeadI        uint32 = 131329
	MDCECGLeadII       uint32 = 131330
	MDCECGLeadV1       uint32 = 131331
	MDCECGLeadIII      uint32 = 131389
)
