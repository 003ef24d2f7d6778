package alarms

import (
	"encoding/json"
	"fmt"
	"time"
)

// AgeGroupAt returns the age group of someone born on birth (YYYY-MM-DD) at
// time now: neonate for the first 28 days, infant to the first birthday,
// child to the twelfth, adult after. ok is false when birth is empty,
// unparsable or in the future; the caller then keeps the adult defaults
// and should say so on screen.
func AgeGroupAt(birth string, now time.Time) (g AgeGroup, ok bool) {
	b, err := time.ParseInLocation("2006-01-02", birth, now.Location())
	if err != nil || b.After(now) {
		return Adult, false
	}
	switch {
	case now.Before(b.AddDate(0, 0, 28)):
		return Neonate, true
	case now.Before(b.AddDate(1, 0, 0)):
		return Infant, true
	case now.Before(b.AddDate(12, 0, 0)):
		return Child, true
	}
	return Adult, true
}

// Parameters lists every parameter with limits, in display order.
func Parameters() []Parameter {
	out := make([]Parameter, numParameters)
	for p := range numParameters {
		out[p] = p
	}
	return out
}

// Key returns the parameter's stable name ("hr", "spo2"…), used in
// condition ids and in saved limits.
func (p Parameter) Key() string {
	if p < 0 || p >= numParameters {
		return fmt.Sprintf("parameter(%d)", int(p))
	}
	return params[p].key
}

// Unit returns the parameter's UCUM unit.
func (p Parameter) Unit() string {
	if p < 0 || p >= numParameters {
		return ""
	}
	return params[p].unit
}

// Profile is a patient's alarm set-up as it is saved with the patient: the
// age group whose defaults apply and the limits that differ from them.
type Profile struct {
	Age    AgeGroup          `json:"age"`
	Limits map[string]Limits `json:"limits,omitempty"` // by Parameter.Key
}

// Profile returns the engine's set-up: its age group and every limit that
// differs from that group's defaults.
func (e *Engine) Profile() Profile {
	e.mu.Lock()
	defer e.mu.Unlock()
	pr := Profile{Age: e.age, Limits: map[string]Limits{}}
	def := DefaultLimits(e.age)
	for p := range numParameters {
		if e.limits[p] != def[p] {
			pr.Limits[p.Key()] = e.limits[p]
		}
	}
	return pr
}

// MarshalProfile and UnmarshalProfile are the saved form of a Profile.
func MarshalProfile(pr Profile) ([]byte, error) { return json.Marshal(pr) }

// UnmarshalProfile parses a saved Profile and checks it: an unknown age
// group, an unknown parameter or limits out of order is an error, so that
// a damaged setting is reported rather than half applied.
func UnmarshalProfile(b []byte) (Profile, error) {
	var pr Profile
	if err := json.Unmarshal(b, &pr); err != nil {
		return Profile{}, fmt.Errorf("alarm profile: %w", err)
	}
	if pr.Age < Adult || pr.Age > Neonate {
		return Profile{}, fmt.Errorf("alarm profile: unknown age group %d", pr.Age)
	}
	for k, l := range pr.Limits {
		if _, ok := paramByKey(k); !ok {
			return Profile{}, fmt.Errorf("alarm profile: unknown parameter %q", k)
		}
		if err := l.Check(); err != nil {
			return Profile{}, fmt.Errorf("alarm profile: %s: %w", k, err)
		}
	}
	return pr, nil
}

func paramByKey(k string) (Parameter, bool) {
	for p := range numParameters {
		if params[p].key == k {
			return p, true
		}
	}
	return 0, false
}

// ApplyProfile loads pr's age-group defaults and then its own limits, as
// one change recorded in the journal for user.
func (e *Engine) ApplyProfile(pr Profile, user string) error {
	if pr.Age < Adult || pr.Age > Neonate {
		return fmt.Errorf("apply alarm profile: unknown age group %d", pr.Age)
	}
	lim := DefaultLimits(pr.Age)
	for k, l := range pr.Limits {
		p, ok := paramByKey(k)
		if !ok {
			return fmt.Errorf("apply alarm profile: unknown parameter %q", k)
		}
		if err := l.Check(); err != nil {
			return fmt.Errorf("apply alarm profile: %s: %w", k, err)
		}
		lim[p] = l
	}
	return e.do(func() error {
		now := e.now()
		e.age = pr.Age
		e.limits = lim
		e.record(Entry{Time: now, Action: LimitsChanged, User: user,
			Detail: fmt.Sprintf("profile: defaults for %s, %d limits of the patient's own", pr.Age, len(pr.Limits))})
		for p := range numParameters {
			e.rejudge(p)
		}
		e.evaluate(now)
		return nil
	})
}
