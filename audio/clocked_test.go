package audio

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// twoCards offers a built-in and a USB input and output, the USB ones not
// the default.
func twoCards() *Clocked {
	return &Clocked{Manual: true,
		InputDevices: []DeviceInfo{{ID: "mic", Name: "Built-in microphone", Default: true},
			{ID: "usb-in", Name: "USB audio (stethoscope)"}},
		OutputDevices: []DeviceInfo{{ID: "spk", Name: "Speakers", Default: true},
			{ID: "usb-out", Name: "USB audio (headphones)"}},
	}
}

func TestClockedListsAndOpensChosenDevices(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in, out   string
		wantErr   bool
		wantOpens []string
	}{
		{name: "defaults", wantOpens: []string{"mic", "spk"}},
		{name: "chosen", in: "usb-in", out: "usb-out", wantOpens: []string{"usb-in", "usb-out"}},
		{name: "mixed", in: "usb-in", wantOpens: []string{"spk", "usb-in"}},
		{name: "an output id as input", in: "spk", wantErr: true},
		{name: "unknown", out: "nope", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := twoCards()
			l, err := Listen(b, ListenConfig{Rate: 4000, Period: 5 * time.Millisecond, Input: tc.in, Output: tc.out})
			if tc.wantErr {
				if !errors.Is(err, ErrNoDevice) {
					t.Fatalf("Listen(%q, %q): %v, want ErrNoDevice", tc.in, tc.out, err)
				}
				if got := b.Streams(); len(got) != 0 {
					t.Fatalf("a failed Listen left %v open", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if got := b.Streams(); !slices.Equal(got, tc.wantOpens) {
				t.Fatalf("open streams %v, want %v", got, tc.wantOpens)
			}
		})
	}
}

// An unplugged device leaves the list and its stream stops with
// ErrNoDevice; plugged back it is listed and opens again.
func TestClockedUnplugLeavesTheList(t *testing.T) {
	b := twoCards()
	stopped := make(chan error, 2)
	l, err := Listen(b, ListenConfig{Rate: 4000, Period: 5 * time.Millisecond, Input: "usb-in",
		OnStop: func(err error) { stopped <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b.Unplug("usb-in")
	if err := <-stopped; !errors.Is(err, ErrNoDevice) {
		t.Fatalf("stop reason %v", err)
	}
	ins, _ := b.Inputs()
	if len(ins) != 1 || ins[0].ID != "mic" {
		t.Fatalf("inputs while unplugged: %+v", ins)
	}
	if got := b.Streams(); !slices.Equal(got, []string{"spk"}) {
		t.Fatalf("streams after unplug %v", got)
	}
	b.Plug("usb-in")
	ins, _ = b.Inputs()
	if len(ins) != 2 {
		t.Fatalf("inputs after replug: %+v", ins)
	}
}

// A Manual backend moves exactly the periods stepped, inputs first, so a
// listener passes every sample through with no underrun.
func TestClockedManualStepIsExact(t *testing.T) {
	var mu sync.Mutex
	next := float32(0)
	var heard []float32
	b := &Clocked{Manual: true,
		Source: func(p []float32) {
			for i := range p {
				next++
				p[i] = next / 10000
			}
		},
		Sink: func(p []float32, _ time.Time) {
			mu.Lock()
			defer mu.Unlock()
			heard = append(heard, p...)
		}}
	l, err := Listen(b, ListenConfig{Rate: 4000, Period: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b.Step(100)
	l.Close()
	b.Step(10) // closed streams do not tick
	if len(heard) != 100*20 {
		t.Fatalf("heard %d samples, want %d", len(heard), 100*20)
	}
	for i, v := range heard {
		if want := float32(i+1) / 10000; v != want {
			t.Fatalf("sample %d is %v, want %v", i, v, want)
		}
	}
	if st := l.Stats(); st.Underruns != 0 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}
