package alarms

import (
	"time"

	"telewave/devices"
)

// Technical alarm codes the engine raises, with their default priority
// and onset delay.
const (
	CodeLeadOff        = devices.EventLeadOff      // Medium, 2 s
	CodeSensorOff      = devices.EventSensorOff    // Medium, 2 s
	CodeDisconnected   = devices.EventDisconnected // High, 3 s
	CodeStorageTrouble = "storage-trouble"         // Medium, at once
	// EventLeadOn is the event code a driver emits when electrodes are
	// back on (as devices/ads1298 does); devices has no core constant yet.
	EventLeadOn = "lead-on"
	// CodeAsystole is the physiological condition fed by Asystole.
	CodeAsystole = "asystole" // High, Policy.AsystoleDelay after the last beat
)

type techInfo struct {
	priority devices.Priority
	delay    time.Duration
	text     string
}

var techs = map[string]techInfo{
	CodeLeadOff:        {devices.Medium, 2 * time.Second, "ECG leads off"},
	CodeSensorOff:      {devices.Medium, 2 * time.Second, "SpO2 sensor off"},
	CodeDisconnected:   {devices.High, 3 * time.Second, "Device disconnected"},
	CodeStorageTrouble: {devices.Medium, 0, "Recording to disk failing"},
}

func techSpec(code, source, detail string) Spec {
	t := techs[code]
	id, text := code, t.text
	if source != "" {
		id += ":" + source
		text += " (" + source + ")"
	}
	if detail != "" {
		text += ": " + detail
	}
	return Spec{ID: id, Kind: devices.Technical, Priority: t.priority, Delay: t.delay, Text: text, Source: source}
}

// Event feeds a device event from source (the port or device name the
// app shows): lead-off/lead-on, sensor-off/sensor-on and
// disconnected/connected raise and end technical alarms. Other codes are
// not alarms and are ignored.
func (e *Engine) Event(source string, ev devices.Event) error {
	return e.do(func() error {
		at := ev.Time
		if at.IsZero() {
			at = e.now()
		}
		switch ev.Code {
		case CodeLeadOff, EventLeadOn:
			st := e.leads(source)
			st.event = ev.Code == CodeLeadOff
			e.judgeLeads(source, st, at)
		case CodeSensorOff, devices.EventSensorOn:
			e.cond(techSpec(CodeSensorOff, source, "")).set(ev.Code == CodeSensorOff, at, 0)
		case CodeDisconnected, devices.EventConnected:
			e.cond(techSpec(CodeDisconnected, source, "")).set(ev.Code == CodeDisconnected, at, 0)
		default:
			return nil
		}
		e.evaluate(e.now())
		return nil
	})
}

// leadState is what the engine knows of a source's electrodes: the last
// lead-off/lead-on event, and which signals' latest chunk was flagged.
type leadState struct {
	event   bool
	flagged map[string]bool
}

func (e *Engine) leads(source string) *leadState {
	c, ok := e.conds[techSpec(CodeLeadOff, source, "").ID]
	if ok && c.leads != nil {
		return c.leads
	}
	return &leadState{flagged: map[string]bool{}}
}

func (e *Engine) judgeLeads(source string, st *leadState, at time.Time) {
	off := st.event
	for _, f := range st.flagged {
		off = off || f
	}
	c := e.cond(techSpec(CodeLeadOff, source, ""))
	c.leads = st
	c.set(off, at, 0)
}

// Chunk feeds a chunk's flags: the source's lead-off condition is present
// while any of its signals' latest chunk carries devices.LeadOff (or a
// lead-off event was not yet followed by lead-on).
func (e *Engine) Chunk(source string, c *devices.Chunk) error {
	return e.do(func() error {
		st := e.leads(source)
		off := c.Flags&devices.LeadOff != 0
		if st.flagged[c.Signal] == off {
			return nil // nothing changed: keep the hot path cheap
		}
		st.flagged[c.Signal] = off
		at := c.HostTime
		if at.IsZero() {
			at = e.now()
		}
		e.judgeLeads(source, st, at)
		e.evaluate(e.now())
		return nil
	})
}

// StorageTrouble raises (ok false) or ends (ok true) the technical alarm
// for a recording that cannot be written; detail says why.
func (e *Engine) StorageTrouble(ok bool, detail string, at time.Time) error {
	return e.do(func() error {
		e.cond(techSpec(CodeStorageTrouble, "", detail)).set(!ok, at, 0)
		e.evaluate(e.now())
		return nil
	})
}

// Asystole reports that the QRS detector has seen no beat since
// lastBeat. The high-priority alarm is raised once Policy.AsystoleDelay
// has passed since lastBeat; it supersedes the bradycardia alarms. Call it
// again at will; Beat ends it.
func (e *Engine) Asystole(lastBeat time.Time) error {
	return e.do(func() error {
		c := e.cond(asystoleSpec(e.policy.AsystoleDelay))
		if !c.present {
			c.set(true, lastBeat, 0)
		}
		e.evaluate(e.now())
		return nil
	})
}

// Beat reports a detected beat at at: asystole, if present, ends.
func (e *Engine) Beat(at time.Time) error {
	return e.do(func() error {
		if c, ok := e.conds[CodeAsystole]; ok && c.present {
			c.set(false, at, 0)
			e.evaluate(e.now())
		}
		return nil
	})
}

func asystoleSpec(delay time.Duration) Spec {
	return Spec{ID: CodeAsystole, Kind: devices.Physiological, Priority: devices.High, Delay: delay,
		Text: "Asystole", Source: "ECG",
		Supersedes: []string{"hr-extreme-low", "hr-low", "pr-extreme-low", "pr-low"}}
}

// Condition sets a condition the app defines (an arrhythmia call, a
// ventilator alarm…) present or not from at. Its Delay applies as for the
// built-in conditions.
func (e *Engine) Condition(spec Spec, present bool, at time.Time) error {
	return e.do(func() error {
		e.cond(spec).set(present, at, 0)
		e.evaluate(e.now())
		return nil
	})
}
