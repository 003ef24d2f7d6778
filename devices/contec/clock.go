package contec

import "time"

// hostClock gives each sample a host time. Packets reach us in bursts (USB
// latency, the simulator's 20 ms ticks), so stamping each with its arrival
// would jitter; instead the clock advances one period per sample and is
// pulled gently towards arrival times. It never goes backwards, and it jumps
// forward when samples come more than half a second late (a stall).
type hostClock struct {
	period time.Duration
	next   time.Time // expected time of the next sample
}

func (c *hostClock) sample(arrived time.Time) time.Time {
	if c.next.IsZero() || arrived.Sub(c.next) > 500*time.Millisecond {
		c.next = arrived
	}
	diff := arrived.Sub(c.next) / 16
	diff = max(diff, -c.period/2)
	t := c.next.Add(diff)
	c.next = t.Add(c.period)
	return t
}
