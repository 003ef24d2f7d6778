package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
)

// usersAdmin is the administrator's user management: add users, disable
// and re-enable them. The store refuses it to anyone else and keeps one
// enabled administrator.
type usersAdmin struct {
	s    *session
	user storage.User

	users    []storage.UserInfo
	selected int // index into users, -1 for none
	list     *widget.List
	toggle   *widget.Button
	status   *widget.Label

	name        *widget.Entry
	role        *widget.Select
	pass, again *widget.Entry
	form        *widget.Form
	root        fyne.CanvasObject
}

func (s *session) usersScreen(u storage.User) fyne.CanvasObject { return newUsersAdmin(s, u).root }

func newUsersAdmin(s *session, u storage.User) *usersAdmin {
	a := &usersAdmin{s: s, user: u, selected: -1, status: widget.NewLabel("Loading the users…")}
	a.list = widget.NewList(
		func() int { return len(a.users) },
		func() fyne.CanvasObject { return widget.NewLabel("user (role)") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(userLine(a.users[i])) })
	a.list.OnSelected = func(i widget.ListItemID) {
		s.touch()
		a.selected = i
		a.showToggle()
	}
	a.toggle = widget.NewButton("Disable", s.act(a.flip))
	a.toggle.Disable()

	a.name, a.pass, a.again = widget.NewEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	s.watchEntries(a.name, a.pass, a.again)
	a.role = widget.NewSelect([]string{string(storage.RoleClinician), string(storage.RoleReviewer), string(storage.RoleAdministrator)}, nil)
	a.role.SetSelected(string(storage.RoleClinician))
	a.form = &widget.Form{
		Items: []*widget.FormItem{{Text: "User", Widget: a.name}, {Text: "Role", Widget: a.role},
			{Text: "Passphrase", Widget: a.pass, HintText: fmt.Sprintf("at least %d characters; the user changes it", minPassphrase)},
			{Text: "Again", Widget: a.again}},
		SubmitText: "Add user",
		OnSubmit:   a.add,
	}
	back := widget.NewButton("Back to patients", s.act(func() { s.showHome(u, 0) }))
	head := container.NewHBox(back, widget.NewLabelWithStyle("Users", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	right := container.NewVBox(widget.NewCard("New user", "", a.form))
	a.root = container.NewBorder(container.NewVBox(head, a.status), container.NewHBox(a.toggle), nil, right, a.list)
	a.reload()
	return a
}

func userLine(u storage.UserInfo) string {
	line := fmt.Sprintf("%s (%s)", u.Name, u.Role)
	if u.Disabled {
		line += " — disabled"
	}
	return line
}

func (a *usersAdmin) reload() {
	st, ctx := a.s.store, a.s.ctx
	go func() {
		us, err := st.Users(ctx)
		Do(func() {
			if err != nil {
				a.status.SetText(fmt.Sprintf("Could not list the users: %v", err))
				return
			}
			a.users = us
			a.selected = -1
			a.list.UnselectAll()
			a.list.Refresh()
			a.showToggle()
			a.status.SetText(fmt.Sprintf("%d users. Choose one to disable or re-enable it.", len(us)))
		})
	}()
}

func (a *usersAdmin) showToggle() {
	if a.selected < 0 || a.selected >= len(a.users) {
		a.toggle.SetText("Disable")
		a.toggle.Disable()
		return
	}
	u := a.users[a.selected]
	if u.Disabled {
		a.toggle.SetText("Enable " + u.Name)
	} else {
		a.toggle.SetText("Disable " + u.Name)
	}
	a.toggle.Enable()
}

func (a *usersAdmin) flip() {
	if a.selected < 0 || a.selected >= len(a.users) {
		return
	}
	u := a.users[a.selected]
	a.toggle.Disable()
	st, ctx := a.s.store, a.s.ctx
	go func() {
		err := st.SetDisabled(ctx, u.Name, !u.Disabled)
		Do(func() {
			if err != nil {
				a.status.SetText(adminRefusal(err))
				a.showToggle()
				return
			}
			a.reload()
		})
	}()
}

func (a *usersAdmin) add() {
	a.s.touch()
	name := strings.TrimSpace(a.name.Text)
	if name == "" {
		a.status.SetText("A user name is needed.")
		return
	}
	if msg := newPassphrase(a.pass.Text, a.again.Text); msg != "" {
		a.status.SetText(msg)
		return
	}
	role, secret, params := storage.Role(a.role.Selected), []byte(a.pass.Text), a.s.params
	a.form.Disable()
	a.status.SetText("Adding " + name + "…")
	st, ctx := a.s.store, a.s.ctx
	go func() {
		_, err := st.AddUser(ctx, name, role, secret, params)
		Do(func() {
			a.form.Enable()
			if err != nil {
				a.status.SetText(adminRefusal(err))
				return
			}
			a.name.SetText("")
			a.pass.SetText("")
			a.again.SetText("")
			a.reload()
		})
	}()
}

// adminRefusal says why the store refused a user change.
func adminRefusal(err error) string {
	switch {
	case errors.Is(err, storage.ErrExists):
		return "That user name is taken."
	case errors.Is(err, storage.ErrLastAdministrator):
		return "The store must keep one enabled administrator."
	}
	return fmt.Sprintf("Refused: %v", err)
}
