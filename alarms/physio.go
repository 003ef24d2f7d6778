package alarms

import (
	"fmt"
	"time"

	"telewave/devices"
)

type limitKind int

const (
	extremeLow limitKind = iota
	extremeHigh
	lowLimit
	highLimit
)

var kindSuffix = [...]string{"-extreme-low", "-extreme-high", "-low", "-high"}

// limitSpec builds the condition for one limit of p at value v.
func limitSpec(p Parameter, k limitKind, lim, v float64) Spec {
	info := params[p]
	s := Spec{ID: info.key + kindSuffix[k], Kind: devices.Physiological, Priority: devices.Medium,
		Delay: info.delay, Source: info.label}
	cmp := "<"
	if k == extremeHigh || k == highLimit {
		cmp = ">"
	}
	name := map[limitKind]string{extremeLow: info.label + " extremely low", extremeHigh: info.label + " extremely high",
		lowLimit: info.label + " low", highLimit: info.label + " high"}[k]
	switch p {
	case HR, PR:
		name = map[limitKind]string{extremeLow: "Extreme bradycardia", extremeHigh: "Extreme tachycardia",
			lowLimit: "Bradycardia", highLimit: "Tachycardia"}[k]
	case SpO2:
		if k == extremeLow {
			name = "Desaturation"
		}
	}
	switch k {
	case extremeLow:
		s.Priority, s.Supersedes = devices.High, []string{info.key + kindSuffix[lowLimit]}
	case extremeHigh:
		s.Priority, s.Supersedes = devices.High, []string{info.key + kindSuffix[highLimit]}
	}
	s.Text = fmt.Sprintf("%s: %s %g %s %g %s", name, info.label, v, cmp, lim, info.unit)
	return s
}

// observe judges value v of p measured at at against its limits.
func (e *Engine) observe(p Parameter, v float64, at time.Time) {
	if p == PR && e.hrCovers(at) {
		e.observeNone(p, at)
		return
	}
	l := e.limits[p]
	hyst := params[p].hysteresis
	for k, lim := range []float64{l.ExtremeLow, l.ExtremeHigh, l.Low, l.High} {
		k := limitKind(k)
		c := e.cond(limitSpec(p, k, lim, v))
		if lim == 0 {
			c.set(false, at, v)
			continue
		}
		low := k == extremeLow || k == lowLimit
		a := e.alarms[c.spec.ID]
		// Once raised, the value must come back inside by the hysteresis.
		if a != nil && a.Active() {
			if low {
				lim += hyst
			} else {
				lim -= hyst
			}
		}
		c.set((low && v < lim) || (!low && v > lim), at, v)
	}
}

// hrCovers reports whether a valid ECG heart rate is being received: the
// oximeter's pulse rate then raises no rate alarms of its own.
func (e *Engine) hrCovers(at time.Time) bool {
	r := e.last[HR]
	return r.ok && at.Sub(r.at) <= params[HR].stale
}

// observeNone ends p's conditions: there is no value to judge.
func (e *Engine) observeNone(p Parameter, at time.Time) {
	key := params[p].key
	for _, suf := range kindSuffix {
		if c, ok := e.conds[key+suf]; ok {
			c.set(false, at, c.value)
		}
	}
}

// expireStale ends the conditions of parameters that stopped reporting.
func (e *Engine) expireStale(now time.Time) {
	for p := range numParameters {
		r := e.last[p]
		if st := params[p].stale; r.ok && st > 0 && now.Sub(r.at) > st {
			e.last[p] = reading{}
			e.observeNone(p, now)
		}
	}
}
