package medibus

import (
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// conversation is the driver's side of the dialogue: one command of its
// own in flight at a time, the device's commands answered at once. Run's
// goroutine owns it.
type conversation struct {
	d           *Driver
	port        io.Writer
	now         func() time.Time
	s           *session
	pending     []Frame // commands waiting to go out
	outstanding *Frame  // the command waiting for its answer
	sentAt      time.Time
	lastSent    time.Time
	ready       bool // set-up done: measured values may be polled
}

// start (re)opens the dialogue: ICC, who are you, realtime configuration.
func (c *conversation) start() error {
	c.pending = c.pending[:0]
	c.outstanding = nil
	c.ready = false
	c.queue(CmdICC, "")
	c.queue(CmdDeviceID, "")
	c.queue(CmdRTConfig, "")
	return c.pump()
}

// queue adds a command unless one with the same code is already waiting.
func (c *conversation) queue(cmd byte, args string) {
	if c.outstanding != nil && c.outstanding.Cmd == cmd {
		return
	}
	for _, f := range c.pending {
		if f.Cmd == cmd {
			return
		}
	}
	c.pending = append(c.pending, Frame{Cmd: cmd, Data: []byte(args)})
}

func (c *conversation) write(b []byte) error {
	if _, err := devices.WriteBurst(c.port, b, time.Second); err != nil {
		return fmt.Errorf("medibus driver write: %w", err)
	}
	c.lastSent = c.now()
	return nil
}

// pump sends the next command when none is in flight.
func (c *conversation) pump() error {
	if c.outstanding != nil || len(c.pending) == 0 {
		return nil
	}
	f := c.pending[0]
	c.pending = c.pending[1:]
	c.outstanding, c.sentAt = &f, c.now()
	return c.write(f.Encode())
}

// tick restarts a dialogue whose command went unanswered and keeps a quiet
// line alive with NOP.
func (c *conversation) tick() error {
	now := c.now()
	if c.outstanding != nil && now.Sub(c.sentAt) > devices.DurationOr(c.d.ReplyTimeout, 3*time.Second) {
		c.s.event(devices.EventDataGap, fmt.Sprintf("no answer to command %02X; starting over with ICC", c.outstanding.Cmd), now)
		c.s.gap()
		return c.start()
	}
	if c.outstanding == nil && len(c.pending) == 0 && now.Sub(c.lastSent) >= devices.DurationOr(c.d.KeepAlive, 2*time.Second) {
		c.queue(CmdNOP, "")
	}
	return c.pump()
}

func (c *conversation) handle(a arrival) error {
	c.s.errors(a.bad, a.rtBad, a.at)
	switch a.it.Kind {
	case ItemRealtime:
		c.s.realtime(a.it.Realtime, a.at)
	case ItemFrame:
		f := a.it.Frame
		if !f.Response {
			return c.answer(f, a.at)
		}
		if c.outstanding == nil || c.outstanding.Cmd != f.Cmd {
			return nil // a late answer to a command given up on
		}
		c.outstanding = nil
		if err := c.response(f, a.at); err != nil {
			return err
		}
		return c.pump()
	}
	return nil
}

// answer replies to the device's own command.
func (c *conversation) answer(f Frame, at time.Time) error {
	data := ""
	switch f.Cmd {
	case CmdDeviceID:
		data = c.d.id().Encode()
	case CmdICC:
		// The device (re)opened the line: its state is gone, so is ours.
		if err := c.write(Response(CmdICC, "")); err != nil {
			return err
		}
		if c.ready {
			c.s.gap()
		}
		return c.start()
	}
	return c.write(Response(f.Cmd, data))
}

// response handles the answer to the driver's own command.
func (c *conversation) response(f Frame, at time.Time) error {
	switch f.Cmd {
	case CmdDeviceID:
		c.s.identify(ParseDeviceID(f.Data))
	case CmdRTConfig:
		cfgs, err := ParseRTConfig(f.Data)
		if err != nil {
			c.s.event(devices.EventBadFrame, err.Error(), at)
		}
		c.s.offered = cfgs
		chosen := c.choose(cfgs)
		if len(chosen) == 0 {
			c.ready = true
			return nil
		}
		codes := make([]byte, len(chosen))
		for i, cfg := range chosen {
			codes[i] = cfg.Code
		}
		c.s.pendingStreams = chosen
		c.queue(CmdRTConfigure, ConfigureArgs(codes))
	case CmdRTConfigure:
		n := len(c.s.pendingStreams)
		c.s.configure(c.s.pendingStreams)
		c.ready = true
		if n > 0 {
			return c.write(EnableRealtime(byte(1<<n - 1)))
		}
	case CmdDataCP1:
		vs, err := ParseValues(f.Data)
		c.s.values(vs, at)
		if err != nil {
			c.s.event(devices.EventBadFrame, err.Error(), at)
		}
	}
	return nil
}

// choose picks the wanted curves the device offers, at most four (streams
// 1–4 are switched on with one sync command).
func (c *conversation) choose(cfgs []RTConfig) []RTConfig {
	var out []RTConfig
	for _, code := range c.d.curves() {
		for _, cfg := range cfgs {
			if cfg.Code == code && len(out) < 4 {
				out = append(out, cfg)
				break
			}
		}
	}
	return out
}
