package devices

import "time"

// HostClock gives each sample of a device without a usable clock a host
// time. Packets reach the host in bursts (USB latency, a simulator's 20 ms
// ticks), so stamping each with its arrival would jitter; instead the clock
// advances one period per sample and is pulled gently towards arrival
// times. It never goes backwards, and it jumps forward when samples come
// more than half a second late (a stall).
type HostClock struct {
	Period time.Duration
	next   time.Time // expected time of the next sample
}

// Sample returns the host time of a sample that arrived at arrived.
func (c *HostClock) Sample(arrived time.Time) time.Time {
	if c.next.IsZero() || arrived.Sub(c.next) > 500*time.Millisecond {
		c.next = arrived
	}
	diff := arrived.Sub(c.next) / 16
	diff = max(diff, -c.Period/2)
	t := c.next.Add(diff)
	c.next = t.Add(c.Period)
	return t
}

// Skip accounts for n samples that never arrived (a packet-counter gap).
func (c *HostClock) Skip(n int) {
	if !c.next.IsZero() {
		c.next = c.next.Add(time.Duration(n) * c.Period)
	}
}
