package medibus

import (
	"math"
	"time"

	"telewave/devices"
	"telewave/devices/sim"
)

// vent is the simulated ventilator's state; Simulator.Run's goroutine
// owns it.
type vent struct {
	s        *Simulator
	now      func() time.Time
	pacer    *sim.Pacer
	interval time.Duration
	frames   int64 // realtime sets generated while the link was up

	up        bool
	lastHeard time.Time
	asked     byte // the device's own command awaiting an answer, 0 if none
	askedAt   time.Time
	lastAsk   time.Time
	askNOP    bool // alternate between 52 and 30
	lastICC   time.Time
	streams   []RTConfig // configured by 54, stream i+1
	enabled   uint16     // streams switched on by the host
	wasInsp   bool
	ascii     []segment // ASCII output waiting to be interleaved
}

// segment is one ASCII frame on its way out, and the values it carries.
type segment struct {
	b        []byte
	numerics []devices.Numeric
}

func (v *vent) source() time.Duration { return time.Duration(v.frames) * v.interval }

func (v *vent) say(b []byte, nums []devices.Numeric) {
	v.ascii = append(v.ascii, segment{b: b, numerics: nums})
}

func (v *vent) drop() {
	v.up, v.enabled, v.streams, v.asked = false, 0, nil, 0
	v.s.linkUp.Store(false)
}

// handle acts on what the host sent.
func (v *vent) handle(it Item) {
	now := v.now()
	switch it.Kind {
	case ItemSync:
		if !v.up {
			return
		}
		v.lastHeard = now
		if it.Sync.Cmd == SyncEnable1 {
			was := v.enabled
			v.enabled = uint16(it.Sync.Arg&0x0F) & (1<<len(v.streams) - 1)
			if was == 0 && v.enabled != 0 {
				v.pacer.Reset()
			}
		}
	case ItemFrame:
		f := it.Frame
		if f.Response {
			if v.up && v.asked == f.Cmd {
				v.asked = 0
				v.lastHeard = now
			}
			return
		}
		if f.Cmd == CmdICC {
			v.up, v.enabled, v.streams, v.asked = true, 0, nil, 0
			v.s.linkUp.Store(true)
			v.lastHeard, v.lastAsk = now, now
			v.say(Response(CmdICC, ""), nil)
			return
		}
		if !v.up {
			return // a closed link answers nothing but ICC
		}
		v.lastHeard = now
		v.command(f)
	}
}

func (v *vent) command(f Frame) {
	data := ""
	var nums []devices.Numeric
	switch f.Cmd {
	case CmdDeviceID:
		id := v.s.ID
		if id.Name == "" {
			id = DeviceID{ID: "0161", Name: "Evita4", Revision: "04.05"}
		}
		data = id.Encode()
	case CmdDataCP1:
		values := v.s.Values
		if values == nil {
			values = DefaultValues
		}
		vs := values(v.source())
		data = EncodeValues(vs)
		for _, x := range vs {
			nums = append(nums, x.Numeric(time.Time{}))
		}
	case CmdRTConfig:
		data = EncodeRTConfig(v.s.curves())
	case CmdRTConfigure:
		codes, err := ParseConfigureArgs(f.Data)
		if err != nil {
			return // no answer: the host times out
		}
		v.streams, v.enabled = nil, 0
		for _, c := range codes {
			for _, cfg := range v.s.curves() {
				if cfg.Code == c {
					v.streams = append(v.streams, cfg)
				}
			}
		}
	case CmdStop:
		v.say(Response(CmdStop, ""), nil)
		v.drop()
		return
	}
	v.say(Response(f.Cmd, data), nums)
}

// housekeeping drops a silent link, sends the device's own requests and,
// while the link is down, its own ICC once a second.
func (v *vent) housekeeping() {
	now := v.now()
	timeout := devices.DurationOr(v.s.LinkTimeout, 5*time.Second)
	if !v.up {
		if now.Sub(v.lastICC) >= time.Second {
			v.lastICC = now
			v.say(Command(CmdICC, ""), nil)
		}
		return
	}
	if now.Sub(v.lastHeard) > timeout || (v.asked != 0 && now.Sub(v.askedAt) > timeout) {
		v.drop()
		v.lastICC = now
		return
	}
	every := devices.DurationOr(v.s.Requests, 3*time.Second)
	if v.s.Requests >= 0 && v.asked == 0 && now.Sub(v.lastAsk) >= every {
		cmd := CmdDeviceID
		if v.askNOP {
			cmd = CmdNOP
		}
		v.askNOP = !v.askNOP
		v.asked, v.askedAt, v.lastAsk = cmd, now, now
		v.say(Command(cmd, ""), nil)
	}
}

// assemble builds a burst of n realtime sets with the waiting ASCII slipped
// in between them, then whatever ASCII is left when no curve streams.
func (v *vent) assemble(n int) *sim.Burst {
	b := &sim.Burst{}
	for range n {
		rt, counts := v.next()
		if rt != nil {
			b.Append(EncodeRealtime(*rt))
			b.Mark(counts, nil)
		}
		v.feed(b, interleave)
	}
	if v.enabled == 0 {
		v.feed(b, math.MaxInt)
	}
	return b
}

// feed moves up to max ASCII bytes into the burst.
func (v *vent) feed(b *sim.Burst, max int) {
	for max > 0 && len(v.ascii) > 0 {
		seg := &v.ascii[0]
		k := min(max, len(seg.b))
		b.Append(seg.b[:k])
		seg.b = seg.b[k:]
		max -= k
		if len(seg.b) == 0 {
			b.Mark(nil, seg.numerics)
			v.ascii = v.ascii[1:]
		}
	}
}

// next advances the breath by one realtime interval and returns the set
// for the enabled streams (nil when none is).
func (v *vent) next() (*Realtime, map[string][]int32) {
	t := v.source()
	v.frames++
	breaths := v.s.Breaths
	if breaths <= 0 {
		breaths = 15
	}
	period := 60 / breaths
	phase := math.Mod(t.Seconds(), period)
	tInsp := period / 3
	insp := phase < tInsp
	cycle := CycleNone
	if insp != v.wasInsp || v.frames == 1 {
		cycle = CycleExpiration
		if insp {
			cycle = CycleInspiration
		}
	}
	v.wasInsp = insp
	if v.enabled == 0 {
		return nil, nil
	}
	rt := &Realtime{Cycle: cycle}
	counts := map[string][]int32{}
	for i, cfg := range v.streams {
		if v.enabled&(1<<i) == 0 {
			continue
		}
		rt.Mask |= 1 << i
		c := cfg.Count(breath(cfg.Code, phase, tInsp))
		rt.Samples = append(rt.Samples, c)
		id := cfg.Signal().ID
		counts[id] = append(counts[id], int32(c))
	}
	return rt, counts
}

// breath is a volume-controlled breath: PEEP 5 mbar, pressure rising to
// 20 mbar, decelerating inspiratory flow, passive expiration.
func breath(code byte, phase, tInsp float64) float64 {
	const peep, peak, tidal = 5.0, 20.0, 500.0
	if phase < tInsp {
		rise := 1 - math.Exp(-phase/0.15)
		switch code {
		case 0x00:
			return peep + (peak-peep)*rise
		case 0x01:
			return 45 * math.Exp(-phase/0.6)
		case 0x03:
			return tidal * (1 - math.Exp(-phase/0.6)) / (1 - math.Exp(-tInsp/0.6))
		}
		return 0
	}
	te := phase - tInsp
	switch code {
	case 0x00:
		return peep + (peak-peep)*math.Exp(-te/0.1)
	case 0x01:
		return -60 * math.Exp(-te/0.35)
	case 0x03:
		return tidal * math.Exp(-te/0.35)
	}
	return 0
}
