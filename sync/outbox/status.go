package outbox

import "time"

// Status is a snapshot of the drainer for the sync state line.
type Status struct {
	// Online is whether the EHR answered the last send or probe.
	Online bool
	// Checked is when Online was last decided; zero before the first try.
	Checked time.Time
	// LastSuccess is when a unit was last sent.
	LastSuccess time.Time
	// LastError is the text of the most recent failure (never patient data:
	// senders keep it out of their errors).
	LastError string
	// Sent, Retried and Parked count units since the drainer was built.
	Sent, Retried, Parked int
}

// Status returns a copy of the drainer's state; safe from any goroutine.
func (d *Drainer) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status
}

func (d *Drainer) record(f func(*Status)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.status)
}
