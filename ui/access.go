package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// minPassphrase is the shortest passphrase set-up accepts; Argon2id slows
// guessing, it does not make a short passphrase safe.
const minPassphrase = 10

// setupScreen asks a new machine for its first user, an administrator.
func (s *session) setupScreen() fyne.CanvasObject {
	name := widget.NewEntry()
	name.SetPlaceHolder("administrator user name")
	pass := widget.NewPasswordEntry()
	again := widget.NewPasswordEntry()
	status := widget.NewLabel("")
	form := &widget.Form{
		Items: []*widget.FormItem{
			{Text: "User", Widget: name},
			{Text: "Passphrase", Widget: pass, HintText: fmt.Sprintf("at least %d characters", minPassphrase)},
			{Text: "Again", Widget: again},
		},
		SubmitText: "Create the record store",
	}
	form.OnSubmit = func() {
		switch {
		case name.Text == "":
			status.SetText("A user name is needed.")
			return
		case len(pass.Text) < minPassphrase:
			status.SetText(fmt.Sprintf("The passphrase needs at least %d characters.", minPassphrase))
			return
		case pass.Text != again.Text:
			status.SetText("The two passphrases differ.")
			return
		}
		form.Disable()
		status.SetText("Creating the sealed record store…")
		user, secret := name.Text, []byte(pass.Text)
		go func() {
			st, code, err := sqlite.Create(s.ctx, s.opts.StoreDir, user, secret, seal.DefaultParams)
			var u storage.User
			if err == nil {
				u, err = st.Unlock(s.ctx, user, secret)
			}
			Do(func() {
				if err != nil {
					form.Enable()
					status.SetText(fmt.Sprintf("Could not create the store: %v", err))
					return
				}
				s.store = st
				s.showRecoveryCode(code, func() { s.showPatients(u) })
			})
		}()
	}
	title := widget.NewLabelWithStyle("Set up this workstation", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	note := widget.NewLabel("Records are sealed with a key that only your passphrase (or the recovery code) opens.")
	return container.NewCenter(container.NewVBox(title, note, form, status))
}

func (s *session) showRecoveryCode(code string, next func()) {
	msg := widget.NewLabel("Recovery code — write it down now; it is shown only once:\n\n" + code +
		"\n\nIt opens the record store if every passphrase is lost.")
	d := dialog.NewCustom("Recovery code", "I have written it down", msg, s.win)
	d.SetOnClosed(next)
	d.Show()
}

// unlockScreen opens an existing store.
func (s *session) unlockScreen() fyne.CanvasObject {
	name := widget.NewEntry()
	pass := widget.NewPasswordEntry()
	status := widget.NewLabel("")
	form := &widget.Form{
		Items:      []*widget.FormItem{{Text: "User", Widget: name}, {Text: "Passphrase", Widget: pass}},
		SubmitText: "Unlock",
	}
	form.OnSubmit = func() {
		form.Disable()
		status.SetText("Unlocking…")
		user, secret := name.Text, []byte(pass.Text)
		pass.SetText("")
		locked := s.store
		go func() {
			u, st, wait, err := s.unlock(s.ctx, locked, user, secret)
			Do(func() {
				if err != nil {
					form.Enable()
					status.SetText(loginRefusal(err, wait))
					return
				}
				s.store = st
				s.showPatients(u)
			})
		}()
	}
	forgot := widget.NewButton("Forgot the passphrase? Use the recovery code", func() { s.show(s.recoveryScreen()) })
	title := widget.NewLabelWithStyle("Telewave is locked", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	return container.NewCenter(container.NewVBox(title, forgot, form, status))
}

// unlock opens the store (or unlocks the one the session locked) as user.
// A throttled login comes back with how long to wait.
func (s *session) unlock(ctx context.Context, locked *sqlite.Store, user string, secret []byte) (storage.User, *sqlite.Store, time.Duration, error) {
	st := locked
	if st == nil {
		var err error
		if st, err = sqlite.Open(ctx, s.opts.StoreDir); err != nil {
			return storage.User{}, nil, 0, err
		}
	}
	u, err := st.Unlock(ctx, user, secret)
	if err != nil {
		var wait time.Duration
		if errors.Is(err, storage.ErrThrottled) {
			wait, _ = st.ThrottleWait(ctx, user)
		}
		if locked == nil {
			st.Close()
		}
		return storage.User{}, nil, wait, err
	}
	return u, st, 0, nil
}
