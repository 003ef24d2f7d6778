package intellivue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"telewave/devices"
)

// Protocol is the name the registry and the command line use.
const Protocol = "intellivue"

// Errors Run returns so that the supervisor reconnects.
var (
	// ErrRefused: the monitor refused the association (another client
	// holds it, or data export is not enabled on the port).
	ErrRefused = errors.New("intellivue: association refused by the monitor")
	// ErrNoReply: the monitor did not answer the association, did not
	// announce its MDS, or stopped sending.
	ErrNoReply = errors.New("intellivue: monitor stopped answering")
	// ErrAborted: the monitor aborted or released the association.
	ErrAborted = errors.New("intellivue: monitor ended the association")
)

// Driver is the host side of the Data Export protocol: it associates,
// answers the MDS create event, chooses the waves, keeps an extended wave
// poll and an extended numerics poll alive, and releases on the way out.
type Driver struct {
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Waves is the wave priority list (physio ids, up to 3 ECG leads and
	// 8 others); nil: DefaultWaves.
	Waves []uint16
	// Repoll is how often both extended polls are renewed; each renewal
	// also keeps the association alive (0 = 1 s).
	Repoll time.Duration
	// PollPeriod is the TIME_PD_POLL each extended poll asks for
	// (0 = 10 s); it must exceed Repoll.
	PollPeriod time.Duration
	// ReplyTimeout bounds the wait for the association, the MDS create
	// event and, once streaming, the silence before Run gives up (0 = 5 s).
	ReplyTimeout time.Duration
	// ReleaseWait is how long Run waits for the release response after
	// ctx is done (0 = 500 ms).
	ReleaseWait time.Duration
	// Location reads the monitor's absolute time; nil: time.Local.
	Location *time.Location
}

var (
	_ devices.Driver = (*Driver)(nil)
	_ devices.Prober = (*Driver)(nil)
)

// NewDriver returns a driver with the default wave list and the given clock
// (nil for time.Now).
func NewDriver(now func() time.Time) *Driver { return &Driver{Now: now} }

// Protocol returns "intellivue".
func (d *Driver) Protocol() string { return Protocol }

// Link returns 115200 8N1 without handshake, the MIB/RS-232 port's setting.
func (d *Driver) Link() devices.Link {
	return devices.Link{Baud: 115200, DataBits: 8, Parity: devices.NoParity, StopBits: 1}
}

// arrival is a frame's user data, when it arrived and the decoder's error
// counts at that moment.
type arrival struct {
	ud      []byte
	at      time.Time
	bad     int
	skipped int
}

// conn is one association's I/O: frames in, frames out.
type conn struct {
	port    io.Writer
	frames  chan arrival
	readErr chan error
	invoke  uint16
}

func (c *conn) send(ud []byte) error {
	if _, err := devices.WriteBurst(c.port, EncodeFrame(ud), time.Second); err != nil {
		return fmt.Errorf("send intellivue frame: %w", err)
	}
	return nil
}

// invokeOp sends a ROIV and returns its invoke id.
func (c *conn) invokeOp(cmd uint16, body []byte) error {
	c.invoke++
	return c.send(EncodeData(RemoteOp{Type: ROIV, Invoke: c.invoke, Command: cmd, Body: body}))
}

// startRead decodes the port on a goroutine until stop. The reader keeps
// going after ctx is done so that the release response can still arrive.
func startRead(ctx context.Context, port io.Reader, now func() time.Time) (*conn, func()) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := &conn{frames: make(chan arrival, 64), readErr: make(chan error, 1)}
	dec := NewDecoder(port)
	stop := devices.ReadInBackground(cancel, port, func() {
		devices.Forward(rctx, dec.Next, ErrNoData, func(ud []byte) (arrival, bool) {
			return arrival{ud: ud, at: now(), bad: dec.BadFrames(), skipped: dec.Skipped()}, true
		}, c.frames, c.readErr)
	})
	return c, stop
}

// Run associates with the monitor and streams until ctx is done or the
// link fails; on ctx done it sends a release request and waits briefly for
// the response. A refused association gives ErrRefused, a silent monitor
// ErrNoReply, an abort ErrAborted.
func (d *Driver) Run(ctx context.Context, port io.ReadWriter, emit devices.Emit) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	c, stop := startRead(ctx, port, now)
	defer stop()
	c.port = port
	timeout := devices.DurationOr(d.ReplyTimeout, 5*time.Second)

	if err := c.send(EncodeAARQ()); err != nil {
		return devices.OrCanceled(ctx, err)
	}
	if err := d.awaitAccept(ctx, c, timeout); err != nil {
		return err
	}
	// From here on the association is ours: release it on the way out.
	m, err := d.awaitCreate(ctx, c, timeout, now)
	if err != nil {
		return d.release(ctx, c, err)
	}
	emit(&devices.DeviceInfo{Protocol: Protocol, Model: m.model, Serial: m.serial})
	s := newSession(emit, d.location(), now)
	if err := d.startPolls(c); err != nil {
		return d.release(ctx, c, err)
	}
	return d.release(ctx, c, d.stream(ctx, c, s, timeout, now))
}

func (d *Driver) location() *time.Location {
	if d.Location == nil {
		return time.Local
	}
	return d.Location
}

// framesFirst puts a read error back while decoded frames still wait, so
// that the frames before the end of a stream (a capture file read faster
// than it is handled) are all handled before the error ends the session.
func (c *conn) framesFirst(err error) bool {
	if len(c.frames) == 0 {
		return false
	}
	c.readErr <- err // the reader sends once; the buffer of one is free again
	return true
}

// awaitAccept waits for the AARE.
func (d *Driver) awaitAccept(ctx context.Context, c *conn, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-c.readErr:
			if c.framesFirst(err) {
				continue
			}
			return devices.OrCanceled(ctx, fmt.Errorf("intellivue association: %w", err))
		case <-timer.C:
			return fmt.Errorf("no association response within %v: %w", timeout, ErrNoReply)
		case a := <-c.frames:
			typ, err := SessionType(a.ud)
			if err != nil {
				continue
			}
			switch typ {
			case SPDUAssocAccept:
				return nil
			case SPDUAssocRefuse:
				return ErrRefused
			case SPDUAbort:
				return fmt.Errorf("association aborted: %w", ErrAborted)
			}
		}
	}
}

// mdsInfo is what the MDS create event told about the monitor.
type mdsInfo struct {
	model, serial string
}

// awaitCreate waits for the MDS create event report and confirms it.
func (d *Driver) awaitCreate(ctx context.Context, c *conn, timeout time.Duration, now func() time.Time) (mdsInfo, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return mdsInfo{}, ctx.Err()
		case err := <-c.readErr:
			if c.framesFirst(err) {
				continue
			}
			return mdsInfo{}, devices.OrCanceled(ctx, fmt.Errorf("intellivue mds create: %w", err))
		case <-timer.C:
			return mdsInfo{}, fmt.Errorf("no MDS create event within %v: %w", timeout, ErrNoReply)
		case a := <-c.frames:
			typ, err := SessionType(a.ud)
			if err != nil {
				continue
			}
			if typ == SPDUAbort || typ == SPDUReleaseReq {
				return mdsInfo{}, fmt.Errorf("before the MDS create event: %w", ErrAborted)
			}
			op, err := ParseData(a.ud)
			if err != nil || op.Type != ROIV || op.Command != CmdConfEventReport {
				continue
			}
			ev, err := ParseEventReport(op.Body)
			if err != nil || ev.Type != NotiMDSCreate {
				continue
			}
			if err := confirmEvent(c, op, ev); err != nil {
				return mdsInfo{}, err
			}
			return parseMDS(ev.Info), nil
		}
	}
}

func confirmEvent(c *conn, op RemoteOp, ev EventReport) error {
	return c.send(EncodeData(RemoteOp{Type: RORS, Invoke: op.Invoke, Command: CmdConfEventReport,
		Body: EncodeEventResult(ev.Object, ev.Time, ev.Type)}))
}

// parseMDS reads the model and system id from the MDS create information;
// what it cannot read stays empty.
func parseMDS(info []byte) mdsInfo {
	var m mdsInfo
	mc, err := ParseMDSCreate(info)
	if err != nil {
		return m
	}
	for _, a := range mc.Attrs {
		switch a.ID {
		case AttrIDModel:
			if ma, mo, err := ParseSystemModel(a.Value); err == nil {
				m.model = mo
				if ma != "" {
					m.model = ma + " " + mo
				}
			}
		case AttrSysID:
			r := &rd{b: a.Value}
			if id := r.sized(); r.err == nil {
				m.serial = fmt.Sprintf("%X", id)
			}
		}
	}
	return m
}

// startPolls sends the wave priority list and both extended polls.
func (d *Driver) startPolls(c *conn) error {
	list := d.Waves
	if list == nil {
		list = DefaultWaves
	}
	labels := make([]uint32, len(list))
	for i, p := range list {
		labels[i] = Label(p)
	}
	set := SetArgument{Object: MDS, Attrs: []AVA{{ID: AttrPollRTSAPrioLst, Value: EncodeTextIDList(labels)}}}
	if err := c.invokeOp(CmdConfSet, set.Encode()); err != nil {
		return err
	}
	return d.poll(c)
}

// poll sends (or renews) the extended wave poll and the extended numerics
// poll.
func (d *Driver) poll(c *conn) error {
	period := EncodeU32(uint32(RelTimeOf(devices.DurationOr(d.PollPeriod, 10*time.Second))))
	for i, class := range []uint16{ClassWave, ClassNumeric} {
		req := PollRequest{Number: uint16(i + 1), Partition: PartObj, Code: class,
			Ext: []AVA{{ID: AttrTimePdPoll, Value: period}}}
		act := Action{Object: MDS, Type: ActPollMDIBDataExt, Body: req.Encode(true)}
		if err := c.invokeOp(CmdConfAction, act.EncodeArgument()); err != nil {
			return err
		}
	}
	return nil
}

// stream handles the monitor's PDUs, renews the polls and watches for
// silence until ctx is done or the association ends.
func (d *Driver) stream(ctx context.Context, c *conn, s *session, timeout time.Duration, now func() time.Time) error {
	ticker := time.NewTicker(devices.DurationOr(d.Repoll, time.Second))
	defer ticker.Stop()
	last := now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-c.readErr:
			if c.framesFirst(err) {
				continue
			}
			return devices.OrCanceled(ctx, fmt.Errorf("intellivue driver: %w", err))
		case <-ticker.C:
			if since := now().Sub(last); since > timeout {
				return fmt.Errorf("nothing from the monitor for %v: %w", since.Round(time.Millisecond), ErrNoReply)
			}
			if err := d.poll(c); err != nil {
				return devices.OrCanceled(ctx, err)
			}
		case a := <-c.frames:
			last = a.at
			s.badFrames(a)
			if err := s.handle(c, a); err != nil {
				return err
			}
		}
	}
}

// release ends the association after ctx is done (or after err): a release
// request, then a short wait for the response. It returns ctx's error when
// ctx is done, else err.
func (d *Driver) release(ctx context.Context, c *conn, err error) error {
	if errors.Is(err, ErrAborted) || (ctx.Err() == nil && !errors.Is(err, ErrNoReply)) {
		// The monitor ended it, or the port failed: nothing to release.
		return devices.OrCanceled(ctx, err)
	}
	if c.send(EncodeReleaseRequest()) != nil {
		return devices.OrCanceled(ctx, err)
	}
	timer := time.NewTimer(devices.DurationOr(d.ReleaseWait, 500*time.Millisecond))
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return devices.OrCanceled(ctx, err)
		case <-c.readErr:
			return devices.OrCanceled(ctx, err)
		case a := <-c.frames:
			if typ, e := SessionType(a.ud); e == nil && (typ == SPDUReleaseResp || typ == SPDUAbort) {
				return devices.OrCanceled(ctx, err)
			}
		}
	}
}
