package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/devices"
	"telewave/ui/paper"
	"telewave/ui/waveview"
)

// freshFor is how long a numeric stays on screen without an update before
// it is shown as "--": a frozen number must not pass for a live one.
const freshFor = 5 * time.Second

// monitorScreen is the bedside view: waveforms, numerics, device states
// and the EHR link.
type monitorScreen struct {
	ws  *app.Workstation
	fps int

	root     *fyne.Container
	waves    *fyne.Container
	calipers *calipers // over the waveforms while frozen
	disp     *display
	header   *widget.Label
	syncLine *widget.Label
	event    *widget.Label
	steth    *stethPanel // nil without a stethoscope
	spo2     *canvas.Text
	pr       *canvas.Text
	devRows  *fyne.Container
	rows     map[string]*deviceRow
	values   *widget.Label // every numeric, unmapped ones included
	alarms   *AlarmBar
	ports    *widget.Label // what discovery sees

	// What the waveforms are drawn at (UI thread): the screen's DPI, the
	// speed and gain chosen, sweep or scroll.
	screen paper.Screen
	cal    paper.Calibration
	mode   waveview.Mode
	paper  *paperControls
	tabs   *container.AppTabs
	share  *sharePanel // the Telehealth tab
	sync   *syncPanel  // nil until addRecordTabs

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type deviceRow struct {
	state *widget.Label
	port  *widget.Entry
	link  *linkForm
	box   fyne.CanvasObject
}

func newMonitorScreen(ws *app.Workstation, fps int, scr paper.Screen) *monitorScreen {
	m := &monitorScreen{ws: ws, fps: fps, rows: map[string]*deviceRow{}, screen: scr,
		cal: paper.Standard(scr.DPI, scr.Calibrated)}
	p := ws.Patient()
	m.header = widget.NewLabelWithStyle(fmt.Sprintf("%s   MRN %s   born %s", p.Name, p.MRN, p.Birth),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.syncLine = widget.NewLabel("EHR: …")
	m.event = widget.NewLabel("")
	m.spo2 = bigNumber(plethCyan)
	m.pr = bigNumber(plethCyan)
	m.disp = newDisplay(ws.Devices(), ws.Stethoscope != nil, m.cal, m.mode)
	// Calipers lie over the waveforms while they are frozen: the frozen
	// screen is drawn at the monitor's calibration, so Δt and ΔmV read true.
	m.calipers = newCalipers(func() paper.Calibration { return m.cal })
	m.calipers.Hide()
	m.paper = newPaperControls(m)
	m.waves = container.NewStack(m.disp.view, m.calipers)
	m.devRows = container.NewVBox()
	for _, d := range ws.Devices() {
		m.addRow(d.Slot, d.Path)
	}
	numerics := container.NewVBox(
		numericTile(fmt.Sprintf("SpO2 %% · avg %.0f s", ws.Monitor.Averaging().Seconds()), m.spo2),
		numericTile(fmt.Sprintf("PR /min · avg %.0f s", ws.Monitor.Averaging().Seconds()), m.pr),
	)
	chart := widget.NewButton("Chart vitals now", m.chartNow)
	m.values = widget.NewLabel("no values yet")
	m.ports = widget.NewLabel("")
	// Everything below the waveforms sits in tabs of a fixed height, so the
	// waveforms keep most of the window however many devices are attached.
	m.tabs = container.NewAppTabs(
		container.NewTabItem("Devices", container.NewVBox(m.devRows, m.addDeviceForm())),
		container.NewTabItem("All values", m.values),
		container.NewTabItem("Serial ports", m.ports),
		container.NewTabItem("NEWS2", news2Form(ws.Analysis.NEWS2)),
		container.NewTabItem("Alarm limits", newLimitsForm(ws.Analysis, ws.User()).root),
		container.NewTabItem("Screen calibration", m.calibrationItem()))
	if ws.Stethoscope != nil {
		m.steth = newStethPanel(ws.Stethoscope)
		m.tabs.Append(container.NewTabItem("Stethoscope", m.steth.root))
	}
	for _, t := range m.tabs.Items {
		scrolled(t)
	}
	bottom := container.NewVBox(m.tabs, container.NewHBox(chart, m.paper.strip, m.paper.trends, m.event))
	user := ws.User()
	m.alarms = newAlarmBar(ws.Analysis.Alarms, func() { ws.Analysis.AcknowledgeAll(user) }, func() { ws.Analysis.PauseAudio(user) })
	top := container.NewVBox(container.NewBorder(nil, nil, m.header, m.syncLine, m.paper.root), m.alarms)
	waves := container.NewBorder(nil, m.paper.status, nil, nil, m.waves)
	m.root = container.NewBorder(top, bottom, nil, numerics, waves)
	return m
}

// scrolled puts a tab's content in a scroll of the tabs' fixed height.
func scrolled(t *container.TabItem) *container.TabItem {
	sc := container.NewVScroll(t.Content)
	sc.SetMinSize(fyne.NewSize(0, 190))
	t.Content = sc
	return t
}

func bigNumber(c color.Color) *canvas.Text {
	t := canvas.NewText("--", c)
	t.TextSize = 56
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.Alignment = fyne.TextAlignTrailing
	return t
}

func numericTile(label string, value *canvas.Text) fyne.CanvasObject {
	l := canvas.NewText(label, color.RGBA{180, 180, 180, 255})
	l.TextSize = 14
	return container.NewPadded(container.NewVBox(l, value))
}

func (m *monitorScreen) content() fyne.CanvasObject { return m.root }

func (m *monitorScreen) addRow(slot, path string) {
	r := &deviceRow{state: widget.NewLabel(slot + ": connecting…"), port: widget.NewEntry()}
	r.port.SetText(path)
	reopen := widget.NewButton("Use this port", func() {
		if err := m.ws.SetPort(slot, r.port.Text); err != nil {
			m.event.SetText(err.Error())
		}
	})
	l, _ := m.ws.Link(slot)
	r.link = newLinkForm(l)
	apply := widget.NewButton("Apply serial settings", func() {
		l, err := r.link.link()
		if err == nil {
			err = m.ws.SetLink(slot, l)
		}
		if err != nil {
			m.event.SetText(err.Error())
			return
		}
		m.event.SetText(fmt.Sprintf("%s: reopening with %s", slot, l))
	})
	portLine := container.NewHBox(widget.NewLabel("port"), container.NewGridWrap(fyne.NewSize(260, 36), r.port), reopen)
	r.box = container.NewVBox(container.NewBorder(nil, nil, nil, portLine, r.state), container.NewHBox(r.link.box, apply))
	m.rows[slot] = r
	m.devRows.Add(r.box)
}

// addDeviceForm attaches another device by protocol and port path (a pty
// path or /dev/ttyUSB0; ptys are never listed by the system).
func (m *monitorScreen) addDeviceForm() fyne.CanvasObject {
	reg := app.Registry()
	proto := widget.NewSelect(reg.Names(), nil)
	proto.PlaceHolder = "protocol"
	port := widget.NewEntry()
	port.SetPlaceHolder("/dev/ttyUSB0 or /dev/pts/N")
	add := widget.NewButton("Add device", func() {
		drv, err := reg.Driver(proto.Selected)
		if err != nil || port.Text == "" {
			m.event.SetText("Choose a protocol and type the port path.")
			return
		}
		slot := proto.Selected
		for n := 2; m.rows[slot] != nil; n++ {
			slot = fmt.Sprintf("%s-%d", proto.Selected, n)
		}
		if err := m.ws.AddDevice(app.DeviceSpec{Slot: slot, Driver: drv, Path: port.Text}); err != nil {
			m.event.SetText(err.Error())
			return
		}
		m.addRow(slot, port.Text)
		m.rebuildDisplay()
		port.SetText("")
	})
	return container.NewBorder(nil, nil, widget.NewLabel("Attach"), add, container.NewGridWithColumns(2, proto, port))
}

// rebuildDisplay replaces the waveform area when the set of devices changes.
func (m *monitorScreen) rebuildDisplay() {
	old := m.disp
	frozen := old.view.Frozen()
	m.disp = newDisplay(m.ws.Devices(), m.ws.Stethoscope != nil, m.cal, m.mode)
	m.disp.view.Freeze(frozen)
	m.waves.Objects = []fyne.CanvasObject{m.disp.view, m.calipers}
	m.waves.Refresh()
	if m.ctx != nil {
		m.disp.start(m.ctx, m.ws.Hub, m.fps)
	}
	go old.stop()
}

func (m *monitorScreen) start(ctx context.Context) {
	m.ctx, m.cancel = context.WithCancel(ctx)
	m.disp.start(m.ctx, m.ws.Hub, m.fps)
	m.alarms.Start(m.ctx)
	if m.sync != nil {
		m.sync.start(m.ctx)
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.refreshLoop(m.ctx)
	}()
}

func (m *monitorScreen) stop() {
	if m.cancel != nil {
		m.cancel()
	}
	m.disp.stop()
	m.alarms.Stop()
	if m.sync != nil {
		m.sync.stop()
	}
	if m.share != nil {
		m.share.stop()
	}
	m.wg.Wait()
}

// refreshLoop reads the app's in-memory state four times a second and
// hands a finished snapshot to the UI thread.
func (m *monitorScreen) refreshLoop(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		snap := m.snapshot()
		Do(func() { m.apply(snap) })
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

type snapshot struct {
	devices []app.DeviceStatus
	slots   []app.DeviceSpec
	values  string
	ports   string
	spo2    string
	pr      string
	sync    string
	event   string
}

func (m *monitorScreen) snapshot() snapshot {
	s := snapshot{devices: m.ws.Monitor.Devices(), slots: m.ws.Devices(), sync: syncText(m.ws.Sync()),
		values: allValuesText(m.ws.Monitor.Numerics()), ports: portsText(m.ws.Ports())}
	s.spo2 = numericText(m.ws.Monitor, devices.MDCPulsOximSatO2)
	s.pr = numericText(m.ws.Monitor, devices.MDCPulsOximPulsRt)
	if ev := m.ws.Monitor.Events(); len(ev) > 0 {
		e := ev[len(ev)-1]
		s.event = fmt.Sprintf("%s  %s", e.Time.Format("15:04:05"), e.Text)
	}
	return s
}

func numericText(mon *app.Monitor, code uint32) string {
	n, ok := mon.Averaged(code, time.Now())
	if !ok || n.Status == devices.Unavailable || time.Since(n.Time) > freshFor {
		return "--"
	}
	s := fmt.Sprintf("%.0f", n.Value)
	if n.Status == devices.QuestionableValue {
		s += "?"
	}
	return s
}

func syncText(st app.SyncStatus) string {
	waiting := fmt.Sprintf("%d waiting", st.Queue.Pending)
	if st.Queue.Parked > 0 {
		waiting += fmt.Sprintf(", %d need attention", st.Queue.Parked)
	}
	switch {
	case !st.Configured:
		return "EHR: not configured · " + waiting
	case st.Online:
		last := "never"
		if !st.LastSuccess.IsZero() {
			last = st.LastSuccess.Format("15:04:05")
		}
		return fmt.Sprintf("EHR online · %s · last sent %s", waiting, last)
	default:
		s := "EHR offline · " + waiting
		if st.LastError != "" {
			s += " · " + st.LastError
		}
		return s
	}
}

func (m *monitorScreen) apply(s snapshot) {
	if m.steth != nil {
		m.steth.refresh()
	}
	added := false
	for _, d := range s.slots { // slots discovery attached while the screen was up
		if m.rows[d.Slot] == nil {
			m.addRow(d.Slot, d.Path)
			added = true
		}
	}
	if added {
		m.rebuildDisplay()
	}
	for _, d := range s.devices {
		r := m.rows[d.Slot]
		if r == nil {
			continue
		}
		text := fmt.Sprintf("%s · %s · %s", d.Slot, d.Protocol, d.State)
		if d.Info.Model != "" {
			text += " · " + d.Info.Model
		}
		if d.Gaps > 0 {
			text += fmt.Sprintf(" · %d gaps", d.Gaps)
		}
		if dt := driftText(d); dt != "" {
			text += " · " + dt
		}
		if d.State != devices.Streaming && d.Err != "" {
			text += " · " + d.Err
		}
		r.state.SetText(text)
	}
	setText(m.spo2, s.spo2)
	setText(m.pr, s.pr)
	m.syncLine.SetText(s.sync)
	m.paper.refresh()
	m.event.SetText(s.event)
	if m.values.Text != s.values {
		m.values.SetText(s.values)
	}
	if m.ports.Text != s.ports {
		m.ports.SetText(s.ports)
	}
}

func setText(t *canvas.Text, s string) {
	if t.Text != s {
		t.Text = s
		t.Refresh()
	}
}

func (m *monitorScreen) chartNow() {
	go func() {
		c, err := m.ws.Charter.ChartNow(m.ctx)
		Do(func() {
			switch {
			case errors.Is(err, app.ErrNothingToChart):
				m.event.SetText("Nothing to chart: no fresh valid SpO2 or pulse rate.")
			case err != nil:
				m.event.SetText(fmt.Sprintf("Charting failed: %v", err))
			default:
				m.event.SetText(fmt.Sprintf("Charted %d vitals at %s; queued for the EHR.", len(c.Vitals), c.Time.Format("15:04:05")))
			}
		})
	}()
}
