// Package outbox drains queued work for the EHR: it claims due units from
// the store, hands each to a Sender, and records the outcome — done, retry
// later with jittered exponential backoff, or parked when sending again
// cannot help. Serve runs it in the background; DrainOnce is
// `telewave sync --once`.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"telewave/storage"
)

// Queue is the part of the store the drainer uses. ClaimDue marks the units
// it returns in flight; each must then be marked done, retried or parked.
type Queue interface {
	ClaimDue(ctx context.Context, now time.Time, limit int) ([]storage.OutboxUnit, error)
	MarkDone(ctx context.Context, id int64, at time.Time) error
	MarkRetry(ctx context.Context, id int64, reason string, next time.Time) error
	Park(ctx context.Context, id int64, reason string) error
}

// Sender uploads one unit. An error implementing Permanent() bool that
// returns true parks the unit; any other error retries it later.
type Sender interface {
	Send(ctx context.Context, u storage.OutboxUnit) error
}

// Defaults for the Drainer's zero fields.
const (
	DefaultBatch       = 32
	DefaultSendTimeout = 60 * time.Second
	DefaultInterval    = 15 * time.Second
	// bookkeepingTimeout bounds marking a unit after its send, done even
	// when the caller's context has just ended so that a sent unit is not
	// left in flight.
	bookkeepingTimeout = 5 * time.Second
)

// Result counts what one drain did.
type Result struct {
	Sent, Retried, Parked int
}

// Drainer moves units from a Queue to a Sender. Set Queue and Sender; the
// other fields have defaults. Serve and DrainOnce may not run concurrently
// on one Drainer; Kick and Status are safe from any goroutine.
type Drainer struct {
	Queue  Queue
	Sender Sender
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Backoff is the wait before retry number attempt (1 for the first
	// failure); default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Probe, if set, is a cheap reachability check (fhir.Client.Metadata)
	// that Serve runs while offline, before draining.
	Probe func(ctx context.Context) error
	// Batch is how many units one claim takes (default DefaultBatch).
	Batch int
	// SendTimeout bounds one unit's Send, retries included.
	SendTimeout time.Duration
	// Interval is how often Serve looks for due units without a Kick.
	Interval time.Duration

	initOnce sync.Once
	kick     chan struct{}

	mu     sync.Mutex
	status Status
}

func (d *Drainer) init() {
	d.initOnce.Do(func() { d.kick = make(chan struct{}, 1) })
}

// Kick wakes Serve to drain now, for example after new work was queued or
// the network came back. It never blocks.
func (d *Drainer) Kick() {
	d.init()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Serve drains due units whenever kicked and every Interval until ctx is
// done, then returns nil. Queue errors are recorded in Status and retried on
// the next round rather than ending the service.
func (d *Drainer) Serve(ctx context.Context) error {
	d.init()
	interval := d.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if d.probe(ctx) {
			if _, err := d.DrainOnce(ctx); err != nil && ctx.Err() == nil {
				d.record(func(s *Status) { s.LastError = err.Error() })
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-d.kick:
		}
	}
}

// probe reports whether draining is worth trying: always without a Probe or
// while online; otherwise when the probe succeeds.
func (d *Drainer) probe(ctx context.Context) bool {
	if d.Probe == nil || d.Status().Online {
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, d.sendTimeout())
	defer cancel()
	err := d.Probe(pctx)
	if ctx.Err() != nil {
		return false
	}
	d.record(func(s *Status) {
		s.Online = err == nil
		s.Checked = d.now()
		if err != nil {
			s.LastError = err.Error()
		}
	})
	return err == nil
}

// DrainOnce sends every unit due now and returns what happened to them. It
// stops early on a queue error or when ctx ends; units it claimed but did
// not send are released for the next drain.
func (d *Drainer) DrainOnce(ctx context.Context) (Result, error) {
	d.init()
	if d.Queue == nil || d.Sender == nil {
		return Result{}, errors.New("drain outbox: drainer needs a Queue and a Sender")
	}
	var res Result
	seen := make(map[int64]bool)
	for ctx.Err() == nil {
		units, err := d.Queue.ClaimDue(ctx, d.now(), d.batch())
		if err != nil {
			return res, fmt.Errorf("drain outbox: claim: %w", err)
		}
		fresh := 0
		for i, u := range units {
			if ctx.Err() != nil {
				d.release(units[i:])
				return res, ctx.Err()
			}
			if !seen[u.ID] {
				fresh++
			}
			seen[u.ID] = true
			if err := d.handle(ctx, u, &res); err != nil {
				d.release(units[i+1:])
				return res, err
			}
		}
		// A queue that hands back only units this drain already handled
		// (a retry due at once) would loop forever: stop, the next drain
		// picks them up.
		if len(units) < d.batch() || fresh == 0 {
			break
		}
	}
	return res, ctx.Err()
}

// handle sends one unit and records the outcome in the queue.
func (d *Drainer) handle(ctx context.Context, u storage.OutboxUnit, res *Result) error {
	sctx, cancel := context.WithTimeout(ctx, d.sendTimeout())
	sendErr := d.Sender.Send(sctx, u)
	cancel()

	bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer bcancel()
	now := d.now()
	switch {
	case sendErr != nil && ctx.Err() != nil:
		// Cut short by our own shutdown, not by the EHR: the unit is due
		// again at once rather than after a backoff.
		d.release([]storage.OutboxUnit{u})
		return ctx.Err()
	case sendErr == nil:
		if err := d.Queue.MarkDone(bctx, u.ID, now); err != nil {
			return fmt.Errorf("drain outbox: mark unit %d done: %w", u.ID, err)
		}
		res.Sent++
		d.record(func(s *Status) {
			s.Online, s.LastSuccess, s.Checked = true, now, now
			s.Sent++
		})
	case IsPermanent(sendErr):
		if err := d.Queue.Park(bctx, u.ID, sendErr.Error()); err != nil {
			return fmt.Errorf("drain outbox: park unit %d: %w", u.ID, err)
		}
		res.Parked++
		d.record(func(s *Status) {
			s.Online, s.Checked = true, now // the server answered
			s.LastError = sendErr.Error()
			s.Parked++
		})
	default:
		next := now.Add(d.backoff(u.Attempts + 1))
		if err := d.Queue.MarkRetry(bctx, u.ID, sendErr.Error(), next); err != nil {
			return fmt.Errorf("drain outbox: mark unit %d for retry: %w", u.ID, err)
		}
		res.Retried++
		d.record(func(s *Status) {
			s.Online, s.Checked = serverAnswered(sendErr), now
			s.LastError = sendErr.Error()
			s.Retried++
		})
	}
	return nil
}

// release hands claimed but unsent units back, due at once, so that a
// cancelled drain does not leave them in flight.
func (d *Drainer) release(units []storage.OutboxUnit) {
	if len(units) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), bookkeepingTimeout)
	defer cancel()
	now := d.now()
	for _, u := range units {
		if err := d.Queue.MarkRetry(ctx, u.ID, "drain interrupted before sending", now); err != nil {
			d.record(func(s *Status) { s.LastError = fmt.Sprintf("release unit %d: %v", u.ID, err) })
		}
	}
}

// IsPermanent reports whether err, or an error it wraps, says sending again
// cannot succeed.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// serverAnswered reports whether a failed send still reached the server
// (a 5xx, an unmatched patient), which keeps the state line "online".
func serverAnswered(err error) bool {
	var a interface{ ServerAnswered() bool }
	return errors.As(err, &a) && a.ServerAnswered()
}

func (d *Drainer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Drainer) batch() int {
	if d.Batch > 0 {
		return d.Batch
	}
	return DefaultBatch
}

func (d *Drainer) sendTimeout() time.Duration {
	if d.SendTimeout > 0 {
		return d.SendTimeout
	}
	return DefaultSendTimeout
}

func (d *Drainer) backoff(attempt int) time.Duration {
	if d.Backoff != nil {
		return d.Backoff(attempt)
	}
	return DefaultBackoff(attempt)
}
