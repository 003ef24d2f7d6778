package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/formats/ecg12"
	"telewave/formats/pdf"
	"telewave/ui/paper"
	"telewave/ui/waveview"
)

// prefScreenDPI is where the ruler check's DPI is kept (per machine: it
// belongs to the screen, not to a patient or a user).
const prefScreenDPI = "screen-dpi"

// detectScreen finds the screen's physical DPI off the UI thread: the
// ruler check saved in settings first, else the OS (xrandr, X resources),
// else 96 dpi marked uncalibrated.
func detectScreen(ctx context.Context) paper.Screen {
	if a := fyne.CurrentApp(); a != nil {
		if dpi := a.Preferences().Float(prefScreenDPI); dpi > 0 {
			return paper.Screen{DPI: dpi, Calibrated: true, Source: "ruler check in settings"}
		}
	}
	return paper.DetectScreen(ctx, paper.ExecRunner)
}

// paperControls are the monitor's display settings: speed, gain, sweep or
// scroll, freeze; and the line that prints what is active.
type paperControls struct {
	m             *monitorScreen
	status        *canvas.Text // under the waveforms
	freeze        *widget.Button
	strip, trends *widget.Button
	root          fyne.CanvasObject // speed, gain, mode, freeze
}

func newPaperControls(m *monitorScreen) *paperControls {
	p := &paperControls{m: m, status: canvas.NewText("", color.RGBA{190, 190, 190, 255})}
	p.status.TextSize = 12
	p.freeze = widget.NewButton("Freeze", func() {
		v := m.disp.view
		v.Freeze(!v.Frozen())
		p.refresh()
	})
	speed := widget.NewSelect(mmOptions(paper.Speeds, " mm/s"), func(s string) {
		m.cal.SpeedMMs = parseMM(s, m.cal.SpeedMMs)
		m.disp.view.SetCalibration(m.cal)
		p.refresh()
	})
	gain := widget.NewSelect(mmOptions(paper.Gains, " mm/mV"), func(s string) {
		m.cal.GainMMmV = parseMM(s, m.cal.GainMMmV)
		m.disp.view.SetCalibration(m.cal)
		p.refresh()
	})
	speed.SetSelected(fmt.Sprintf("%g mm/s", m.cal.SpeedMMs))
	gain.SetSelected(fmt.Sprintf("%g mm/mV", m.cal.GainMMmV))
	mode := widget.NewRadioGroup([]string{"Sweep", "Scroll"}, func(s string) {
		m.mode = waveview.ModeSweep
		if s == "Scroll" {
			m.mode = waveview.ModeScroll
		}
		m.disp.view.SetMode(m.mode)
		p.refresh()
	})
	mode.Horizontal = true
	mode.SetSelected("Sweep")
	p.strip = widget.NewButton("12-lead strip (last 10 s)", m.captureStrip)
	p.trends = widget.NewButton("Trends", m.showTrends)
	p.root = container.NewHBox(speed, gain, mode, p.freeze)
	return p
}

// refresh prints the active speed, gain, filters and mode (UI thread).
func (p *paperControls) refresh() {
	v := p.m.disp.view
	if t := v.StatusText(); t != p.status.Text {
		p.status.Text = t
		p.status.Refresh()
	}
	if v.Frozen() {
		p.freeze.SetText("Unfreeze")
		p.m.calipers.Show()
		p.m.calipers.Refresh() // a speed or gain change re-reads the calipers
	} else {
		p.freeze.SetText("Freeze")
		p.m.calipers.Hide()
	}
}

// setScreen applies a newly detected or corrected DPI (UI thread).
func (m *monitorScreen) setScreen(scr paper.Screen) {
	m.cal.DPI, m.cal.Calibrated = scr.DPI, scr.Calibrated
	m.screen = scr
	m.disp.view.SetCalibration(m.cal)
	m.paper.refresh()
}

// calibrationItem is the settings entry with the on-screen ruler check.
func (m *monitorScreen) calibrationItem() fyne.CanvasObject {
	box := container.NewStack()
	build := func() {
		f := newCalibrationForm(m.screen, func(dpi float64) error {
			fyne.CurrentApp().Preferences().SetFloat(prefScreenDPI, dpi)
			m.setScreen(paper.Screen{DPI: dpi, Calibrated: true, Source: "ruler check in settings"})
			return nil
		})
		box.Objects = []fyne.CanvasObject{f.content()}
		box.Refresh()
	}
	build()
	return container.NewVBox(widget.NewButton("Check again with the detected screen", build), box)
}

// captureStrip keeps the last 10 s of the 12-lead ECG as a strip (queued
// for the EHR) and opens it on paper, with calipers and a PDF report.
func (m *monitorScreen) captureStrip() {
	m.event.SetText("Capturing the last 10 s of ECG…")
	ctx := m.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		rec, err := m.capture(ctx)
		Do(func() {
			if err != nil {
				m.event.SetText(err.Error())
				return
			}
			m.event.SetText(fmt.Sprintf("12-lead strip of %d leads kept and queued for the EHR", len(rec.Leads)))
			m.showStrip(rec)
		})
	}()
}

// capture tries each device until one has recorded ECG (off the UI thread).
func (m *monitorScreen) capture(ctx context.Context) (*ecg12.Record, error) {
	for _, d := range m.ws.Devices() {
		st, err := m.ws.CaptureStrip(ctx, d.Slot, app.StripSeconds*time.Second)
		if errors.Is(err, app.ErrNoECG) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rec, gaps, err := app.StripRecord(st, m.ws.Patient())
		if err != nil {
			return nil, err
		}
		if gaps > 0 {
			rec.Statements = append(rec.Statements, fmt.Sprintf("%d samples missing (shown flat)", gaps))
		}
		return &rec, nil
	}
	return nil, app.ErrNoECG
}

// showStrip opens the strip in its own window.
func (m *monitorScreen) showStrip(rec *ecg12.Record) {
	p := m.ws.Patient()
	win := fyne.CurrentApp().NewWindow(fmt.Sprintf("12-lead strip — %s, MRN %s", p.Name, p.MRN))
	v := newTwelveLeadView(rec, m.cal)
	status := widget.NewLabel("")
	save := widget.NewButton("Save PDF report…", func() {
		opt := pdf.Options{Speed: v.strip.cal.SpeedMMs, Gain: v.strip.cal.GainMMmV, Layout: v.strip.layout,
			Filters: filterText(), Title: "12-lead strip", Printed: time.Now(), MeasuredBy: "Telewave"}
		dir, _ := os.UserHomeDir()
		path := filepath.Join(dir, fmt.Sprintf("telewave-12lead-%s.pdf", rec.Acquired.Format("20060102-150405")))
		status.SetText("Writing " + path + "…")
		go func() {
			err := writePDF(path, rec, opt)
			Do(func() {
				if err != nil {
					status.SetText(err.Error())
					return
				}
				status.SetText("Saved " + path)
			})
		}()
	})
	win.SetContent(container.NewBorder(nil, container.NewHBox(save, status), nil, nil, v.content()))
	win.Resize(fyne.NewSize(1100, 760))
	win.Show()
}

// writePDF writes the report next to nothing else: the file is the export.
func writePDF(path string, rec *ecg12.Record, opt pdf.Options) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	if err := pdf.WriteECG12(f, rec, opt); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("save report: %w", err)
	}
	return f.Close()
}

// showTrends opens the numerics' trends in their own window.
func (m *monitorScreen) showTrends() {
	p := m.ws.Patient()
	win := fyne.CurrentApp().NewWindow(fmt.Sprintf("Trends — %s, MRN %s", p.Name, p.MRN))
	ctx := m.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	src := func(from, to time.Time) ([]TrendPoint, error) {
		pts, err := m.ws.TrendHistory(ctx, from, to)
		out := make([]TrendPoint, len(pts))
		for i, pt := range pts {
			out[i] = TrendPoint{Time: pt.Time, Param: pt.Param, Value: pt.Value}
		}
		return out, err
	}
	v := newTrendsView(src, time.Now)
	win.SetContent(v.content())
	win.Resize(fyne.NewSize(760, 560))
	win.Show()
}
