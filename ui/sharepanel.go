package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/sync/live/share"
)

// shareStarter starts a share (Workstation.StartShare); it dials the relay,
// so it runs off the UI thread.
type shareStarter func(ctx context.Context, cfg app.ShareConfig) (*app.Share, error)

// sharePanel is the monitor's "Telehealth" tab: start a share, hand out the
// invite link, admit or deny each viewer who knocks, remove one, end it.
// Every action that touches the network runs off the UI thread.
type sharePanel struct {
	ctx    context.Context
	start  shareStarter
	notify func(string) // a viewer knocks: bring the panel forward

	relay   *widget.Entry
	expires *widget.Select
	begin   *widget.Button
	end     *widget.Button
	link    *widget.Entry
	copy    *widget.Button
	state   *widget.Label
	viewers *fyne.Container
	root    fyne.CanvasObject

	cur *app.Share // UI thread only
}

var shareLifetimes = map[string]time.Duration{"15 min": 15 * time.Minute, "30 min": 30 * time.Minute, "60 min": time.Hour}

func newSharePanel(ctx context.Context, start shareStarter, relay string, notify func(string)) *sharePanel {
	p := &sharePanel{ctx: ctx, start: start, notify: notify}
	p.relay = widget.NewEntry()
	p.relay.SetText(relay)
	p.relay.SetPlaceHolder("relay URL (https://…); empty: viewers on this machine only")
	p.expires = widget.NewSelect([]string{"15 min", "30 min", "60 min"}, nil)
	p.expires.SetSelected("30 min")
	p.begin = widget.NewButton("Start sharing", p.startShare)
	p.end = widget.NewButton("End share", p.endShare)
	p.end.Disable()
	p.link = widget.NewEntry()
	p.link.SetPlaceHolder("the invite link appears here: paste it into the visit's chat")
	p.link.Disable()
	p.copy = widget.NewButton("Copy link", func() {
		if a := fyne.CurrentApp(); a != nil {
			a.Clipboard().SetContent(p.link.Text)
		}
	})
	p.copy.Disable()
	p.state = widget.NewLabel("Not sharing.")
	p.viewers = container.NewVBox()
	p.root = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Relay"), container.NewHBox(widget.NewLabel("invite valid"), p.expires, p.begin, p.end), p.relay),
		container.NewBorder(nil, nil, nil, p.copy, p.link),
		p.state, p.viewers)
	return p
}

// startShare starts sharing with the typed relay (UI thread).
func (p *sharePanel) startShare() {
	if p.cur != nil {
		return
	}
	p.begin.Disable()
	p.state.SetText("Connecting…")
	cfg := app.ShareConfig{Relay: p.relay.Text, Expires: shareLifetimes[p.expires.Selected],
		OnKnock: func(k share.Knocker) {
			Do(func() { p.notify(fmt.Sprintf("Telehealth: %s asks to watch (Telehealth tab: Admit or Deny)", k.Name)) })
		},
		OnChange: func(st share.Status) { Do(func() { p.show(st) }) },
	}
	go func() {
		sh, err := p.start(p.ctx, cfg)
		Do(func() {
			if err != nil {
				p.begin.Enable()
				p.state.SetText("Could not start the share: " + err.Error())
				return
			}
			p.cur = sh
			p.link.SetText(sh.Link())
			p.copy.Enable()
			p.end.Enable()
			p.relay.Disable()
			p.show(sh.Status())
		})
	}()
}

// endShare ends the share; viewers are disconnected (UI thread).
func (p *sharePanel) endShare() {
	sh := p.cur
	if sh == nil {
		return
	}
	p.cur = nil
	p.end.Disable()
	p.copy.Disable()
	p.link.SetText("")
	p.viewers.RemoveAll()
	p.state.SetText("Ending…")
	go func() {
		sh.End()
		Do(func() {
			p.state.SetText("Not sharing.")
			p.begin.Enable()
			p.relay.Enable()
		})
	}()
}

// show lists the share's state and its viewers (UI thread).
func (p *sharePanel) show(st share.Status) {
	if p.cur == nil {
		return
	}
	text := fmt.Sprintf("Sharing (%s) · invite valid until %s · %d watching", st.Link, st.Expires.Local().Format("15:04"), admitted(st))
	if st.Knocks > 0 {
		text += fmt.Sprintf(" · %d waiting to be admitted", st.Knocks)
	}
	if st.LinkError != "" && st.Link != share.Connected {
		text += " · " + st.LinkError
	}
	p.state.SetText(text)
	p.viewers.RemoveAll()
	for _, v := range st.Viewers {
		p.viewers.Add(p.viewerRow(v))
	}
}

func admitted(st share.Status) int {
	n := 0
	for _, v := range st.Viewers {
		if v.Admitted {
			n++
		}
	}
	return n
}

// viewerRow is one viewer: its name, and Admit/Deny while it knocks or
// Remove once it watches.
func (p *sharePanel) viewerRow(v share.ViewerStatus) fyne.CanvasObject {
	act := func(label string, f func(*app.Share, uint32) error) *widget.Button {
		var b *widget.Button
		b = widget.NewButton(label, func() {
			sh := p.cur
			if sh == nil {
				return
			}
			b.Disable()
			go func() {
				if err := f(sh, v.ID); err != nil {
					Do(func() { p.state.SetText(fmt.Sprintf("%s %s: %v", label, v.Name, err)) })
				}
			}()
		})
		return b
	}
	if v.Admitted {
		name := widget.NewLabel(fmt.Sprintf("%s (%s) watching since %s", v.Name, v.Client, v.Since.Local().Format("15:04")))
		return container.NewBorder(nil, nil, nil, act("Remove", (*app.Share).Remove), name)
	}
	name := widget.NewLabel(fmt.Sprintf("%s (%s) asks to watch", v.Name, v.Client))
	return container.NewBorder(nil, nil, nil, container.NewHBox(act("Admit", (*app.Share).Admit), act("Deny", (*app.Share).Deny)), name)
}

// stop ends a running share when the monitor closes.
func (p *sharePanel) stop() {
	if sh := p.cur; sh != nil {
		p.cur = nil
		sh.End()
	}
}

// addShareTab adds the Telehealth tab: shares of this monitor through
// relay (empty: the workstation's own relay, viewers on this machine).
func (m *monitorScreen) addShareTab(ctx context.Context, relay string) {
	tab := container.NewTabItem("Telehealth", nil)
	// A knock brings the tab forward, so Admit and Deny are in sight.
	m.share = newSharePanel(ctx, m.ws.StartShare, relay, func(string) { m.tabs.Select(tab) })
	tab.Content = m.share.root
	m.tabs.Append(scrolled(tab))
}
