package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// syncRefreshEvery is how often the open sync screen rereads the outbox.
const syncRefreshEvery = 2 * time.Second

// syncPanel is the sync screen: the EHR link, the backlog's progress, and
// the units that need a person — parked ones and those waiting for a
// patient match — with what may be done to each. Every store and network
// call runs on a goroutine; results come back through Do.
type syncPanel struct {
	admin  *app.SyncAdmin
	status func() app.SyncStatus // the workstation's Sync, or a zero status without one
	user   storage.User

	state, progressText, cache, result *widget.Label
	progress                           *widget.ProgressBar

	view       app.SyncView
	units      []app.SyncUnit // waiting first, then parked, as listed
	selected   *app.SyncUnit
	list       *widget.List
	unitLabel  *widget.Label
	retry      *widget.Button
	discard    *widget.Button
	reason     *widget.Entry
	search     *widget.Entry
	candidates []sqlite.EHRPatient
	candList   *widget.List
	chosen     int // index into candidates, -1 for none
	match      *widget.Button
	refresh    *widget.Button

	root fyne.CanvasObject

	// ctx ends with stop; every goroutine of the panel runs under it and
	// stop waits for them, so none calls Do after the screen is gone.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newSyncPanel builds the screen; call start to begin reading.
func newSyncPanel(admin *app.SyncAdmin, status func() app.SyncStatus, user storage.User) *syncPanel {
	p := &syncPanel{admin: admin, status: status, user: user, chosen: -1,
		state: widget.NewLabel("Reading the outbox…"), progressText: widget.NewLabel(""), cache: widget.NewLabel(""),
		result: widget.NewLabel(""), progress: widget.NewProgressBar(), unitLabel: widget.NewLabel("Select a unit")}
	p.state.Wrapping, p.result.Wrapping, p.unitLabel.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord, fyne.TextWrapWord
	p.progress.Hide()
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.list = widget.NewList(func() int { return len(p.units) },
		func() fyne.CanvasObject { return widget.NewLabel("waiting · chart · patient · reason") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(unitLine(p.units[i])) })
	p.list.OnSelected = func(i widget.ListItemID) { p.selectUnit(i) }
	p.retry = widget.NewButton("Retry now", p.doRetry)
	p.reason = widget.NewEntry()
	p.reason.SetPlaceHolder("why it is not sent (kept in the audit log)")
	p.discard = widget.NewButton("Discard (administrator)", p.doDiscard)
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder("MRN or name at the EHR")
	p.search.OnChanged = func(q string) { p.findCandidates(q) }
	p.candList = widget.NewList(func() int { return len(p.candidates) },
		func() fyne.CanvasObject { return widget.NewLabel("MRN · name · birth") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(candidateLine(p.candidates[i]))
		})
	p.candList.OnSelected = func(i widget.ListItemID) { p.chosen = i; p.showActions() }
	p.match = widget.NewButton("Match to this patient", p.doMatch)
	p.refresh = widget.NewButton("Refresh patient list from the EHR", p.doRefresh)
	p.showActions()

	matchBox := container.NewBorder(container.NewVBox(widget.NewLabel("Match to a patient at the EHR"), p.search, p.cache),
		container.NewVBox(p.match, p.refresh), nil, nil, p.candList)
	actions := container.NewBorder(container.NewVBox(p.unitLabel, p.retry, p.reason, p.discard), nil, nil, nil, matchBox)
	head := container.NewVBox(widget.NewLabelWithStyle("EHR sync", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.state, container.NewBorder(nil, nil, nil, p.progressText, p.progress), p.result)
	split := container.NewHSplit(container.NewBorder(widget.NewLabel("Needs attention"), nil, nil, nil, p.list), actions)
	split.Offset = 0.55
	p.root = container.NewBorder(head, nil, nil, nil, split)
	return p
}

// spawn runs f on a goroutine that stop waits for.
func (p *syncPanel) spawn(f func(ctx context.Context)) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f(p.ctx)
	}()
}

// start reads the outbox now and every syncRefreshEvery until ctx ends or
// stop.
func (p *syncPanel) start(ctx context.Context) {
	stop := context.AfterFunc(ctx, p.cancel)
	p.spawn(func(ctx context.Context) {
		defer stop()
		t := time.NewTicker(syncRefreshEvery)
		defer t.Stop()
		for {
			p.load(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// stop ends the refresh and waits for it.
func (p *syncPanel) stop() {
	p.cancel()
	p.wg.Wait()
}

// load reads the view off the UI thread and shows it.
func (p *syncPanel) load(ctx context.Context) {
	v, err := p.admin.Load(ctx, p.status())
	if ctx.Err() != nil {
		return
	}
	Do(func() {
		if err != nil {
			p.state.SetText("Cannot read the outbox: " + err.Error())
			return
		}
		p.apply(v)
	})
}

func (p *syncPanel) apply(v app.SyncView) {
	p.view = v
	p.state.SetText(syncStateText(v))
	if v.Progress.Active && v.Progress.Total > 0 {
		p.progress.Max = float64(v.Progress.Total)
		p.progress.SetValue(float64(v.Progress.Sent))
		p.progress.Show()
		p.progressText.SetText(fmt.Sprintf("%d of %d sent", v.Progress.Sent, v.Progress.Total))
	} else {
		p.progress.Hide()
		p.progressText.SetText("")
	}
	p.cache.SetText(cacheText(v.CacheRefreshed))
	var sel int64
	if p.selected != nil {
		sel = p.selected.ID
	}
	p.units = append(append([]app.SyncUnit(nil), v.Waiting...), v.Parked...)
	p.selected = nil
	for i := range p.units {
		if p.units[i].ID == sel {
			p.selected = &p.units[i]
		}
	}
	if p.selected == nil {
		p.list.UnselectAll() // the unit left the list: a tap on its row selects anew
	}
	p.list.Refresh()
	p.showActions()
}

func syncStateText(v app.SyncView) string {
	link := "EHR not configured"
	if v.Configured {
		link = "EHR offline"
		if v.Online {
			link = "EHR online"
		}
	}
	last := "never"
	if !v.LastSuccess.IsZero() {
		last = v.LastSuccess.Local().Format("2006-01-02 15:04:05")
	}
	s := fmt.Sprintf("%s · %d pending · %d in flight · %d parked · %d waiting for a patient match · last sent %s",
		link, v.Queue.Pending, v.InFlight, len(v.Parked), len(v.Waiting), last)
	if v.LastError != "" {
		s += "\nLast error: " + v.LastError
	}
	return s
}

func cacheText(at time.Time) string {
	if at.IsZero() {
		return "EHR patient list: never fetched"
	}
	return "EHR patient list as of " + at.Local().Format("2006-01-02 15:04")
}

func unitLine(u app.SyncUnit) string {
	group := "parked"
	if app.WaitsForMatch(u.Reason) {
		group = "waiting for a patient match"
	}
	who := "unknown patient"
	if u.Patient.ID != 0 {
		who = u.Patient.Name + " (" + u.Patient.MRN + ")"
	}
	return fmt.Sprintf("%s · %s of %s · %s · %d tries · %s", group, u.Kind, u.Created.Local().Format("01-02 15:04"), who, u.Attempts, u.Reason)
}

func candidateLine(p sqlite.EHRPatient) string {
	s := p.MRN + " · " + p.Name
	if p.Birth != "" {
		s += " · born " + p.Birth
	}
	return s
}

func (p *syncPanel) selectUnit(i int) {
	if i < 0 || i >= len(p.units) {
		return
	}
	p.selected = &p.units[i]
	p.result.SetText("")
	p.showActions()
	p.findCandidates(p.search.Text)
}

// showActions enables what the selection allows.
func (p *syncPanel) showActions() {
	if p.selected == nil {
		p.unitLabel.SetText("Select a unit")
		p.retry.Disable()
		p.discard.Disable()
		p.match.Disable()
		return
	}
	p.unitLabel.SetText(unitLine(*p.selected))
	p.retry.Enable()
	if p.user.Role == storage.RoleAdministrator {
		p.discard.Enable()
	} else {
		p.discard.Disable()
	}
	if p.chosen >= 0 && p.chosen < len(p.candidates) {
		p.match.Enable()
	} else {
		p.match.Disable()
	}
}

// act runs f off the UI thread, shows its outcome and reloads.
func (p *syncPanel) act(what string, f func(ctx context.Context) error) {
	p.result.SetText(what + "…")
	p.spawn(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err := f(ctx)
		if ctx.Err() != nil {
			return
		}
		Do(func() {
			if err != nil {
				p.result.SetText(what + ": " + err.Error())
			} else {
				p.result.SetText(what + ": done")
			}
		})
		p.load(ctx)
	})
}

func (p *syncPanel) doRetry() {
	if p.selected == nil {
		return
	}
	id := p.selected.ID
	p.act(fmt.Sprintf("Retry unit %d", id), func(ctx context.Context) error { return p.admin.Retry(ctx, id) })
}

func (p *syncPanel) doDiscard() {
	if p.selected == nil {
		return
	}
	id, reason := p.selected.ID, p.reason.Text
	p.act(fmt.Sprintf("Discard unit %d", id), func(ctx context.Context) error { return p.admin.Discard(ctx, id, reason) })
	p.reason.SetText("")
}

func (p *syncPanel) doMatch() {
	if p.selected == nil || p.chosen < 0 || p.chosen >= len(p.candidates) {
		return
	}
	id, c := p.selected.ID, p.candidates[p.chosen]
	p.act(fmt.Sprintf("Match unit %d to %s", id, c.MRN), func(ctx context.Context) error { return p.admin.Match(ctx, id, c) })
}

func (p *syncPanel) doRefresh() {
	name := p.search.Text
	p.act("Refresh the EHR patient list", func(ctx context.Context) error {
		n, err := p.admin.RefreshPatients(ctx, name)
		if err == nil {
			Do(func() { p.cache.SetText(fmt.Sprintf("%s (%d found)", cacheText(time.Now()), n)) })
			p.findCandidates(name)
		}
		return err
	})
}

// findCandidates filters the cached EHR patients by the search text.
func (p *syncPanel) findCandidates(q string) {
	p.spawn(func(ctx context.Context) {
		cs, _, err := p.admin.Candidates(ctx, q)
		if ctx.Err() != nil {
			return
		}
		Do(func() {
			if err != nil {
				p.result.SetText("EHR patient list: " + err.Error())
				return
			}
			p.candidates, p.chosen = cs, -1
			p.candList.UnselectAll()
			p.candList.Refresh()
			p.showActions()
		})
	})
}
