package ui

import (
	"context"
	"image"
	"image/color"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"telewave/app"
	"telewave/devices/ads1298"
	"telewave/devices/contec"
	"telewave/devices/intellivue"
	"telewave/devices/openbci"
	"telewave/storage"
	"telewave/sync/outbox"
	"telewave/ui/paper"
)

func demoSpecs() []app.DeviceSpec {
	ecg := openbci.NewDriver(nil)
	ecg.Montage = app.DemoMontage()
	return []app.DeviceSpec{{Slot: "ecg", Driver: ecg}, {Slot: "oximeter", Driver: contec.NewDriver(nil)},
		{Slot: "monitor", Driver: intellivue.NewDriver(nil)}, {Slot: "12-lead", Driver: ads1298.NewDriver(nil)}}
}

func TestLanesForTheDemoDevices(t *testing.T) {
	lanes := lanesFor(demoSpecs())
	want := []struct {
		label  string
		signal string
		color  color.RGBA
	}{{"ECG II", "ch1", ecgGreen}, {"ECG V5", "ch2", ecgGreen}, {"Pleth", "pleth", plethCyan},
		{"ECG II (monitor)", "ecg-ii", ecgGreen}, {"Pleth (monitor)", "pleth", plethCyan}, {"ABP mmHg", "abp", abpRed},
		{"II (12-lead)", "II", ecgGreen}, {"V2 (12-lead)", "V2", ecgGreen}}
	if len(lanes) != len(want) {
		t.Fatalf("%d lanes, want %d", len(lanes), len(want))
	}
	for i, w := range want {
		l := lanes[i]
		if l.trace.Label != w.label || l.signal != w.signal || l.trace.Color != w.color || l.trace.Rate <= 0 {
			t.Errorf("lane %d = %+v, want %s/%s", i, l, w.label, w.signal)
		}
	}
}

func TestSyncText(t *testing.T) {
	last := time.Date(2026, 11, 21, 12, 3, 4, 0, time.UTC)
	tests := []struct {
		st   app.SyncStatus
		want []string
	}{
		{app.SyncStatus{Queue: storage.OutboxStats{Pending: 3}}, []string{"not configured", "3 waiting"}},
		{app.SyncStatus{Configured: true, Status: outbox.Status{Online: true, LastSuccess: last}}, []string{"online", "0 waiting", "12:03:04"}},
		{app.SyncStatus{Configured: true, Status: outbox.Status{LastError: "dial tcp: refused"}, Queue: storage.OutboxStats{Pending: 2, Parked: 1}},
			[]string{"offline", "2 waiting", "1 need attention", "refused"}},
	}
	for _, tc := range tests {
		got := syncText(tc.st)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("syncText(%+v) = %q, lacks %q", tc.st, got, w)
			}
		}
	}
}

// The monitor screen on the real demo path: simulators on ptys, serial
// ports, hub, sealed store, display. It must show both kinds of trace and
// the SpO2 and pulse-rate numerics.
func TestMonitorScreenShowsTheDemo(t *testing.T) {
	test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := app.OpenDemoStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	demo, specs, err := app.StartDemo(ctx, os.DirFS("../testdata"))
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Stop()
	ws, err := app.NewWorkstation(app.Config{Store: db, User: db.User.Name, Patient: db.Patient, Devices: specs})
	if err != nil {
		t.Fatal(err)
	}
	m := newMonitorScreen(ws, 30, paper.Screen{DPI: 96, Source: "test"})
	w := test.NewWindow(m.content())
	w.Resize(fyne.NewSize(1200, 800))
	m.start(ctx)
	ws.Start(ctx)
	defer func() {
		m.stop()
		ws.Close()
	}()

	deadline := time.Now().Add(20 * time.Second)
	var green, cyan int
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		if m.spo2.Text == "--" || m.pr.Text == "--" || m.disp.view.Stats().FramesShown < 10 {
			continue
		}
		green, cyan = countTraces(w.Canvas().Capture())
		if green > 200 && cyan > 200 {
			break
		}
	}
	if m.spo2.Text == "--" || m.pr.Text == "--" {
		t.Fatalf("numerics not shown: SpO2 %q PR %q", m.spo2.Text, m.pr.Text)
	}
	if green <= 200 || cyan <= 200 {
		t.Fatalf("trace pixels: %d ECG green, %d pleth cyan; want both drawn (frames %+v, view %v, top %v, bottom %v)", green, cyan, m.disp.view.Stats(), m.disp.view.Size(), m.paper.root.MinSize(), w.Canvas().Size())
	}
	for _, d := range ws.Monitor.Devices() {
		if !strings.Contains(m.rows[d.Slot].state.Text, "streaming") {
			t.Errorf("device row %s says %q", d.Slot, m.rows[d.Slot].state.Text)
		}
	}
	if !strings.Contains(m.syncLine.Text, "EHR") {
		t.Errorf("sync line %q", m.syncLine.Text)
	}
	// Values without an MDC mapping still show, with the device's code;
	// the monitor's clock drift shows on its row.
	deadline = time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (!strings.Contains(m.values.Text, "unmapped") || !strings.Contains(m.rows["monitor"].state.Text, "ppm")) {
		time.Sleep(250 * time.Millisecond)
	}
	if !strings.Contains(m.values.Text, "unmapped, device code") {
		t.Errorf("all values lack the unmapped ones:\n%s", m.values.Text)
	}
	if !strings.Contains(m.rows["monitor"].state.Text, "ppm") {
		t.Errorf("monitor row shows no clock drift: %q", m.rows["monitor"].state.Text)
	}
	// New serial settings reach the supervisor.
	m.rows["monitor"].link.baud.SetSelected("9600")
	l, _ := m.rows["monitor"].link.link()
	if err := ws.SetLink("monitor", l); err != nil {
		t.Fatal(err)
	}
	if got, _ := ws.Link("monitor"); got.Baud != 9600 {
		t.Errorf("link after apply = %v", got)
	}
}

func countTraces(img image.Image) (green, cyan int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case r < 40 && g > 180 && bl > 80 && bl < 160:
				green++
			case r < 40 && g > 150 && bl > 220:
				cyan++
			}
		}
	}
	return green, cyan
}

func TestFilterTextNamesTheFilters(t *testing.T) {
	got := filterText()
	for _, want := range []string{"0.5", "40 Hz", "notch 50 Hz", "causal"} {
		if !strings.Contains(got, want) {
			t.Errorf("filter text %q lacks %q", got, want)
		}
	}
}
