package wire

import (
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"

	"telewave/devices"
)

// SignalDef announces a waveform: the handle its chunks carry, the device
// slot it comes from and its calibration.
type SignalDef struct {
	Handle uint32         `json:"h"`
	Device string         `json:"device"`
	Signal devices.Signal `json:"signal"`
}

// NumericRec is a numeric and the device slot it comes from; the numeric's
// fields sit beside "device" in JSON.
type NumericRec struct {
	Device string `json:"device"`
	devices.Numeric
}

// EventRec is an event and the device slot it comes from; the event's
// fields sit beside "device" in JSON.
type EventRec struct {
	Device string `json:"device"`
	devices.Event
}

// AlarmRec is one alarm of the current list as the clinician's monitor
// shows it.
type AlarmRec struct {
	ID           string           `json:"id"`
	Priority     devices.Priority `json:"priority"` // 0–3: info, low, medium, high
	Text         string           `json:"text"`
	Source       string           `json:"source"`
	Flashing     bool             `json:"flashing"`
	Audible      bool             `json:"audible"`
	Acknowledged bool             `json:"acknowledged"`
}

// Marker is a note a viewer drops on a beat; the host echoes it to every
// viewer in State.Markers and writes it into the recording.
type Marker struct {
	Time   int64  `json:"t"` // unix ms
	Device string `json:"device"`
	Signal string `json:"signal"`
	Note   string `json:"note"`
	By     string `json:"by"` // set by the host from the viewer's knock
}

// State is a class-3 payload: what changed since the last one. A grant
// carries a full snapshot.
type State struct {
	Time     int64        `json:"t"` // unix ms
	Signals  []SignalDef  `json:"signals,omitempty"`
	Numerics []NumericRec `json:"numerics,omitempty"`
	Events   []EventRec   `json:"events,omitempty"`
	Alarms   *[]AlarmRec  `json:"alarms,omitempty"` // nil: unchanged; else the full current list
	Markers  []Marker     `json:"markers,omitempty"`
}

// Patient is shown in the viewer's title.
type Patient struct {
	Name string `json:"name"`
	MRN  string `json:"mrn"`
}

// Grant admits a viewer: the stream key of an epoch, the id the host knows
// the viewer by, the patient and a snapshot so a late joiner draws at once.
type Grant struct {
	Epoch   uint32  `json:"epoch"`
	Key     []byte  `json:"key"` // 32 bytes, base64 in JSON
	Viewer  uint32  `json:"viewer"`
	Patient Patient `json:"patient"`
	State   State   `json:"state"`
}

// Knock asks the host to admit a viewer.
type Knock struct {
	Name   string `json:"name"`   // shown to the clinician
	Client string `json:"client"` // "browser", "telewave"
}

// ViewerMessage is what an admitted viewer sends the host.
type ViewerMessage struct {
	Marker *Marker `json:"marker,omitempty"`
}

// Limits on what a viewer may send, in runes.
const (
	maxName   = 80
	maxClient = 32
	maxNote   = 200
	maxID     = 64
)

// Validate checks a knock: a name of 1 to 80 printable characters and a
// client of at most 32.
func (k Knock) Validate() error {
	if err := text("name", k.Name, 1, maxName); err != nil {
		return fmt.Errorf("knock: %w", err)
	}
	if err := text("client", k.Client, 0, maxClient); err != nil {
		return fmt.Errorf("knock: %w", err)
	}
	return nil
}

// Validate checks a viewer message: a marker with a time, short printable
// ids and a note of at most 200 characters.
func (m ViewerMessage) Validate() error {
	if m.Marker == nil {
		return fmt.Errorf("viewer message: no marker")
	}
	mk := m.Marker
	if mk.Time <= 0 {
		return fmt.Errorf("marker: time %d", mk.Time)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"device", mk.Device, maxID}, {"signal", mk.Signal, maxID}, {"note", mk.Note, maxNote}, {"by", mk.By, maxName}} {
		if err := text(f.name, f.v, 0, f.max); err != nil {
			return fmt.Errorf("marker: %w", err)
		}
	}
	return nil
}

func text(field, s string, minRunes, maxRunes int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not UTF-8", field)
	}
	n := utf8.RuneCountInString(s)
	if n < minRunes || n > maxRunes {
		return fmt.Errorf("%s: %d characters, want %d to %d", field, n, minRunes, maxRunes)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%s: unprintable character %U", field, r)
		}
	}
	return nil
}

// decodeJSON reads one JSON value of a payload.
func decodeJSON(c Class, p []byte, v any) error {
	if err := json.Unmarshal(p, v); err != nil {
		return fmt.Errorf("%v payload: %v: %w", c, err, ErrFrame)
	}
	return nil
}
