package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"telewave/devices"
	"telewave/devices/contec"
)

func startContec(t *testing.T, link string) *Simulated {
	t.Helper()
	s, err := Simulate(context.Background(), contec.Protocol, &contec.Simulator{Speed: 1}, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func streaming(w *Workstation, slot string) bool {
	for _, d := range w.Monitor.Devices() {
		if d.Slot == slot {
			return d.State == devices.Streaming
		}
	}
	return false
}

func chunks(w *Workstation, slot string) uint64 {
	for _, d := range w.Monitor.Devices() {
		if d.Slot == slot {
			return d.Chunks
		}
	}
	return 0
}

func gaps(w *Workstation, slot string) int {
	for _, d := range w.Monitor.Devices() {
		if d.Slot == slot {
			return d.Gaps
		}
	}
	return 0
}

// The acceptance point of Foundation: a simulator killed mid-stream and
// started again, on a new port path given to the running app or behind
// the same path, resumes the stream with the gap marked, without a crash.
func TestDeviceResumesAfterSimulatorRestart(t *testing.T) {
	tests := []struct {
		name     string
		samePath bool
	}{
		{"new port path given to the running app", false},
		{"same path (stable link)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, p := openStore(t)
			link := ""
			if tc.samePath {
				link = filepath.Join(t.TempDir(), "oximeter")
			}
			simA := startContec(t, link)
			w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p,
				Devices: []DeviceSpec{{Slot: "oximeter", Driver: contec.NewDriver(nil), Path: simA.Path}}})
			if err != nil {
				t.Fatal(err)
			}
			w.Start(context.Background())
			closed := false
			defer func() {
				if !closed {
					w.Close()
				}
			}()
			eventually(t, 10*time.Second, "the oximeter streaming", func() bool { return streaming(w, "oximeter") })
			eventually(t, 10*time.Second, "a second of pleth", func() bool { return chunks(w, "oximeter") >= 20 })
			eventually(t, 10*time.Second, "a numeric", func() bool {
				_, ok := w.Monitor.Numeric(devices.MDCPulsOximSatO2)
				return ok
			})

			var simB *Simulated
			if !tc.samePath {
				// The kernel hands out the lowest free pty number, so a
				// simulator started after A's death would get A's path
				// again; start B first so that the device really moves.
				simB = startContec(t, link)
			}
			if err := simA.Stop(); err != nil {
				t.Fatalf("stop simulator: %v", err)
			}
			eventually(t, 10*time.Second, "the oximeter marked not streaming", func() bool { return !streaming(w, "oximeter") })
			if tc.samePath {
				simB = startContec(t, link)
			} else {
				if simB.Path == simA.Path {
					t.Fatalf("the new pty reuses the old path %s", simA.Path)
				}
				if err := w.SetPort("oximeter", simB.Path); err != nil {
					t.Fatal(err)
				}
			}
			eventually(t, 15*time.Second, "the stream resumed with a gap marked", func() bool {
				return streaming(w, "oximeter") && gaps(w, "oximeter") >= 1
			})
			time.Sleep(1500 * time.Millisecond) // let the recorder flush a second after the gap
			w.Close()
			closed = true

			rec := w.Recorder.Recordings()["oximeter"]
			chunks, err := store.Chunks(context.Background(), rec, "pleth")
			if err != nil {
				t.Fatal(err)
			}
			gapAt, flagged := -1, 0
			for i, c := range chunks {
				if c.Seq != uint64(i) {
					t.Fatalf("stored chunk %d has seq %d", i, c.Seq)
				}
				if c.Flags&devices.GapBefore != 0 {
					gapAt = i
					flagged++
				}
			}
			if flagged != 1 {
				t.Errorf("%d stored chunks flagged with a gap, want exactly one", flagged)
			}
			if gapAt <= 0 || gapAt == len(chunks)-1 {
				t.Fatalf("gap at stored chunk %d of %d: want one chunk flagged after data before and data after", gapAt, len(chunks))
			}
			var disconnected int
			for _, e := range w.Monitor.Events() {
				if e.Code == devices.EventDisconnected {
					disconnected++
				}
			}
			if disconnected == 0 {
				t.Error("no disconnected event was raised")
			}
		})
	}
}
