package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// TrendPoint is one value of a trended parameter.
type TrendPoint struct {
	Time  time.Time
	Param string // "HR", "SpO2", "PR", "RR", "NIBP sys", "NIBP dia", "Temp"
	Value float64
}

// TrendParams maps the trended MDC codes to their names on screen.
var TrendParams = map[uint32]string{
	devices.MDCECGHeartRate:   "HR",
	devices.MDCPulsOximSatO2:  "SpO2",
	devices.MDCPulsOximPulsRt: "PR",
	151562:                    "RR",       // MDC_RESP_RATE
	150021:                    "NIBP sys", // MDC_PRESS_BLD_NONINV_SYS
	150022:                    "NIBP dia",
	150364:                    "Temp", // MDC_TEMP_BODY
}

// Trend resolution and depth: one point per parameter every TrendEvery,
// TrendSpan of them (24 h: 8,640 points per parameter, ~1.5 MB in all).
const (
	TrendEvery = 10 * time.Second
	TrendSpan  = 24 * time.Hour
)

// Trends keeps the live session's numerics at TrendEvery for the trend
// view; older history comes from charted vitals in the store.
type Trends struct {
	mu     sync.Mutex
	points []TrendPoint // ring, oldest at start
	start  int
	n      int
}

func newTrends() *Trends {
	per := int(TrendSpan / TrendEvery)
	return &Trends{points: make([]TrendPoint, per*len(TrendParams))}
}

func (t *Trends) add(p TrendPoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n < len(t.points) {
		t.points[(t.start+t.n)%len(t.points)] = p
		t.n++
		return
	}
	t.points[t.start] = p
	t.start = (t.start + 1) % len(t.points)
}

// Between returns the points with from ≤ Time < to, oldest first.
func (t *Trends) Between(from, to time.Time) []TrendPoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []TrendPoint
	for i := 0; i < t.n; i++ {
		p := t.points[(t.start+i)%len(t.points)]
		if !p.Time.Before(from) && p.Time.Before(to) {
			out = append(out, p)
		}
	}
	return out
}

// sample takes the monitor's fresh, valid numerics of the trended codes.
func (t *Trends) sample(m *Monitor, now time.Time) {
	for code, name := range TrendParams {
		n, ok := m.Numeric(code)
		if !ok || now.Sub(n.Time) > TrendEvery || n.Status == devices.Unavailable {
			continue
		}
		t.add(TrendPoint{Time: now, Param: name, Value: n.Value})
	}
}

// serveTrends samples the monitor every TrendEvery until ctx is done.
func (w *Workstation) serveTrends(ctx context.Context) {
	tk := time.NewTicker(TrendEvery)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			w.Trends.sample(w.Monitor, w.cfg.Now())
		}
	}
}

// VitalsStore gives the charted history older than this session.
type VitalsStore interface {
	VitalsBetween(ctx context.Context, patientID int64, from, to time.Time) ([]storage.TimedVital, error)
}

// TrendHistory returns the patient's trend over [from, to): charted
// vitals from the store (when it keeps them) before the live session's
// first point, this session's points after. Call it off the UI thread.
func (w *Workstation) TrendHistory(ctx context.Context, from, to time.Time) ([]TrendPoint, error) {
	live := w.Trends.Between(from, to)
	vs, ok := w.cfg.Store.(VitalsStore)
	if !ok || w.cfg.Patient.ID == 0 {
		return live, nil
	}
	until := to
	if len(live) > 0 {
		until = live[0].Time
	}
	if !until.After(from) {
		return live, nil
	}
	charted, err := vs.VitalsBetween(ctx, w.cfg.Patient.ID, from, until)
	if err != nil {
		return live, fmt.Errorf("trend history: %w", err)
	}
	out := make([]TrendPoint, 0, len(charted)+len(live))
	for _, v := range charted {
		if name, ok := TrendParams[v.Code]; ok {
			out = append(out, TrendPoint{Time: v.Time, Param: name, Value: v.Value})
		}
	}
	return append(out, live...), nil
}
