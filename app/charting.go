package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
)

// ChartStore is what charting needs of the record store: the chart and
// its outbox unit are written in one transaction.
type ChartStore interface {
	ChartVitals(ctx context.Context, c storage.Chart) (unitID int64, err error)
}

// ErrNothingToChart is returned when no device has a fresh valid value.
var ErrNothingToChart = errors.New("no fresh vital signs to chart")

// charted lists what the timer charts from device numerics. Values older
// than staleAfter are not charted: a number that stopped updating is not a
// measurement of now.
var charted = map[uint32]bool{
	devices.MDCPulsOximSatO2:  true,
	devices.MDCPulsOximPulsRt: true,
	devices.MDCECGHeartRate:   true,
}

const staleAfter = 10 * time.Second

// Charter keeps the latest vital signs and charts them for the patient on
// an interval (once a minute in the demo) or when asked.
type Charter struct {
	store    ChartStore
	mrn      string
	author   string
	interval time.Duration
	now      func() time.Time
	charted  func(unitID int64) // called after each chart, e.g. to wake the sync

	mu     sync.Mutex
	latest map[uint32]devices.Numeric
	device map[uint32]devices.DeviceInfo
	info   map[string]devices.DeviceInfo
}

// NewCharter charts for the patient with MRN mrn as author.
func NewCharter(store ChartStore, mrn, author string, interval time.Duration, now func() time.Time, charted func(int64)) *Charter {
	if now == nil {
		now = time.Now
	}
	if charted == nil {
		charted = func(int64) {}
	}
	return &Charter{store: store, mrn: mrn, author: author, interval: interval, now: now, charted: charted,
		latest: map[uint32]devices.Numeric{}, device: map[uint32]devices.DeviceInfo{}, info: map[string]devices.DeviceInfo{}}
}

// Observe keeps the newest charted numerics and which device gave them.
func (c *Charter) Observe(e Envelope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m := e.Msg.(type) {
	case *devices.DeviceInfo:
		c.info[e.Device] = *m
	case *devices.Numeric:
		if charted[m.Code] {
			c.latest[m.Code] = *m
			c.device[m.Code] = c.info[e.Device]
		}
	}
}

// ChartNow charts the fresh valid values as one vitals panel.
func (c *Charter) ChartNow(ctx context.Context) (storage.Chart, error) {
	now := c.now()
	c.mu.Lock()
	ch := storage.Chart{ID: uuid.NewString(), PatientMRN: c.mrn, Time: now, Author: c.author}
	for code, n := range c.latest {
		if n.Status != devices.Valid || now.Sub(n.Time) > staleAfter {
			continue
		}
		ch.Vitals = append(ch.Vitals, storage.Vital{Code: code, Label: n.Label, Value: n.Value, Unit: n.Unit, Status: n.Status})
		if ch.Device.Protocol == "" {
			ch.Device = c.device[code]
		}
	}
	c.mu.Unlock()
	if len(ch.Vitals) == 0 {
		return ch, ErrNothingToChart
	}
	sortVitals(ch.Vitals)
	id, err := c.store.ChartVitals(ctx, ch)
	if err != nil {
		return ch, err
	}
	c.charted(id)
	return ch, nil
}

func sortVitals(v []storage.Vital) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j].Code < v[j-1].Code; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// Serve consumes sub and charts every interval until ctx is done. A chart
// that finds nothing fresh is skipped silently: the finger is out, or no
// device is connected, and that is already on screen.
func (c *Charter) Serve(ctx context.Context, sub *Subscription, report func(error)) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case e := <-sub.C:
			c.Observe(e)
		case <-t.C:
			if _, err := c.ChartNow(ctx); err != nil && !errors.Is(err, ErrNothingToChart) && report != nil {
				report(err)
			}
		case <-ctx.Done():
			return nil
		}
	}
}
