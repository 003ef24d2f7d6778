package nonin

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/devicetest"
)

func TestDriverDF7SensorOffAndArtifact(t *testing.T) {
	// Packets are a third of a second: sensor off for packets 3..5,
	// artifact in packet 7.
	s := &Simulator{
		HR: func(time.Duration) int { return 180 }, SpO2: func(time.Duration) int { return 94 },
		SensorOff: func(t time.Duration) bool { return t >= time.Second && t < 2*time.Second },
		Artifact:  func(t time.Duration) bool { return t >= 7*time.Second/3 && t < 8*time.Second/3 },
	}
	msgs := devicetest.Run(t, s.Run,
		NewDriver(nil), devicetest.Count[*devices.Numeric](9*10))

	if info, ok := msgs[0].(*devices.DeviceInfo); !ok || info.Protocol != Protocol || info.Model != "DF7" {
		t.Fatalf("first message %#v", msgs[0])
	}
	if sig, ok := msgs[1].(*devices.Signal); !ok || sig.Max != 65535 || sig.SampleRate != 75 {
		t.Fatalf("second message %#v", msgs[1])
	}
	var events []string
	packet := 0
	leadOff := 0
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Event:
			events = append(events, m.Code)
		case *devices.Chunk:
			if m.Flags&devices.LeadOff != 0 {
				leadOff += len(m.Samples)
			}
		case *devices.Numeric:
			i := packet / 10 // ten numerics a packet
			packet++
			want := devices.Valid
			switch {
			case i >= 3 && i < 6:
				want = devices.Unavailable
			case i == 7:
				want = devices.QuestionableValue
			}
			if m.Status != want {
				t.Errorf("packet %d %s: %v, want %v", i, m.Label, m.Status, want)
			}
			if m.Status == devices.Valid && m.Label == "PR" && m.Value != 180 {
				t.Errorf("PR %g, want 180", m.Value)
			}
		}
	}
	want := []string{devices.EventSensorOff, devices.EventSensorOn, EventArtifact}
	if !equal(events, want) {
		t.Errorf("events %v, want %v", events, want)
	}
	if leadOff != 75 {
		t.Errorf("%d lead-off samples, want 75", leadOff)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDriverDF8(t *testing.T) {
	hr := []int{250, 180, 40, MissingHR}
	s := &Simulator{Speed: 0,
		HR:         func(t time.Duration) int { return hr[int(t/time.Second)%len(hr)] },
		LowBattery: func(t time.Duration) bool { return t >= 2*time.Second },
	}
	msgs := devicetest.Run(t, s.Run,
		&Driver{Format: DF8}, devicetest.Count[*devices.Numeric](8))
	var prs []float64
	var statuses []devices.NumericStatus
	var events []string
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Signal, *devices.Chunk:
			t.Errorf("DF8 has no waves: %#v", m)
		case *devices.Numeric:
			if m.Label == "PR" {
				prs = append(prs, m.Value)
				statuses = append(statuses, m.Status)
			}
		case *devices.Event:
			events = append(events, m.Code)
		}
	}
	if !equal(prs, []float64{250, 180, 40, 511}) {
		t.Errorf("PR %v", prs)
	}
	if statuses[3] != devices.Unavailable || statuses[0] != devices.Valid {
		t.Errorf("statuses %v", statuses)
	}
	if !equal(events, []string{EventLowBattery}) {
		t.Errorf("events %v", events)
	}
}

func TestDriverDF2(t *testing.T) {
	s := &Simulator{Record: true}
	msgs := devicetest.Run(t, s.Run,
		&Driver{Format: DF2}, devicetest.Count[*devices.Chunk](20))
	sig := msgs[1].(*devices.Signal)
	if sig.Max != 255 || sig.Scale != 1.0/255 {
		t.Errorf("DF2 signal %+v", sig)
	}
	if s.Format() != DF2 {
		t.Errorf("simulator streams %v", s.Format())
	}
}

func TestDriverNAK(t *testing.T) {
	dev, hostEnd := devicetest.Pipe()
	go func() { // a device that rejects every format
		buf := make([]byte, 16)
		for {
			if _, err := dev.Read(buf); err != nil {
				return
			}
			dev.Write([]byte{NAK})
		}
	}()
	err := NewDriver(nil).Run(context.Background(), hostEnd, func(devices.Message) { t.Error("message after NAK") })
	hostEnd.Close()
	dev.Close()
	if !errors.Is(err, ErrRejected) {
		t.Errorf("Run = %v, want ErrRejected", err)
	}
}

func TestDriverBadBytes(t *testing.T) {
	var wire []byte
	frames := framesOf(Packet{Values: Values{HR: 70, SpO2: 98}}, StatusGPRF)
	for i, fr := range frames {
		wire = append(wire, Encode(DF7, fr)...)
		if i == 11 {
			wire = append(wire, 0x99, 0x42) // noise on the line
		}
	}
	play := func(ctx context.Context, dev io.ReadWriter) error {
		buf := make([]byte, 6)
		if _, err := dev.Read(buf); err != nil {
			return nil
		}
		// A slow run may let the driver repeat its command before it reads
		// the ACK: keep reading so that its write never blocks on the pipe.
		go io.Copy(io.Discard, dev)
		dev.Write(append([]byte{ACK}, wire...))
		<-ctx.Done()
		return nil
	}
	msgs := devicetest.Run(t, play, NewDriver(nil), devicetest.Count[*devices.Numeric](10))
	var events []string
	gaps := 0
	for _, m := range msgs {
		switch m := m.(type) {
		case *devices.Event:
			events = append(events, m.Code)
		case *devices.Chunk:
			if m.Flags&devices.GapBefore != 0 {
				gaps++
			}
		}
	}
	if !equal(events, []string{devices.EventBadFrame}) || gaps != 1 {
		t.Errorf("events %v, %d gap chunks; want one bad-frame and one gap", events, gaps)
	}
}

func TestDriverRetriesUntilACK(t *testing.T) {
	s := &Simulator{}
	cmds := 0
	play := func(ctx context.Context, dev io.ReadWriter) error {
		buf := make([]byte, 6)
		for cmds < 2 { // the first command goes unanswered
			if _, err := dev.Read(buf); err != nil {
				return nil
			}
			cmds++
		}
		return s.Run(ctx, &replay{ReadWriter: dev, pending: FormatCommand(DF7)})
	}
	devicetest.Run(t, play, &Driver{Retry: 20 * time.Millisecond}, devicetest.Count[*devices.Chunk](2))
}

// replay hands pending to the first reads, then reads the link.
type replay struct {
	io.ReadWriter
	pending []byte
}

func (r *replay) Read(p []byte) (int, error) {
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	return r.ReadWriter.Read(p)
}
