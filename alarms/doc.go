// Package alarms is the alarm engine: it turns numerics, device events,
// chunk flags and analyser findings into alarm conditions with the
// semantics of IEC 60601-1-8 — priorities with their colours, flashing
// rates and sounds, onset delays and hysteresis, latching, acknowledgement,
// a two-minute audio pause and escalation of alarms left unacknowledged.
//
// The engine has no clock and no goroutine of its own: the app feeds it
// (Numeric, Event, Chunk, Asystole, Condition…) and calls Tick about once
// a second with the current time. Every raise, end, escalation,
// acknowledgement and audio pause goes to a Journal the app implements,
// so that it is stored and audited. All methods are safe for concurrent
// use.
package alarms
