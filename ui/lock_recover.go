package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
	"telewave/storage/sqlite"
)

// newPassphrase checks a new passphrase typed twice; "" means it is fine.
func newPassphrase(pass, again string) string {
	switch {
	case len(pass) < minPassphrase:
		return fmt.Sprintf("The new passphrase needs at least %d characters.", minPassphrase)
	case pass != again:
		return "The two passphrases differ."
	}
	return ""
}

// recoveryScreen resets a user's passphrase with the store's recovery code
// and signs the user in (the store audits it as a key change).
func (s *session) recoveryScreen() fyne.CanvasObject {
	name, code := widget.NewEntry(), widget.NewEntry()
	code.SetPlaceHolder("the recovery code printed at set-up")
	pass, again := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	status := widget.NewLabel("")
	form := &widget.Form{
		Items: []*widget.FormItem{{Text: "User", Widget: name}, {Text: "Recovery code", Widget: code},
			{Text: "New passphrase", Widget: pass, HintText: fmt.Sprintf("at least %d characters", minPassphrase)},
			{Text: "Again", Widget: again}},
		SubmitText: "Reset the passphrase and unlock",
		OnCancel:   func() { s.show(s.unlockScreen()) },
	}
	form.OnSubmit = func() {
		if msg := newPassphrase(pass.Text, again.Text); msg != "" || name.Text == "" {
			if msg == "" {
				msg = "A user name is needed."
			}
			status.SetText(msg)
			return
		}
		form.Disable()
		status.SetText("Checking the recovery code…")
		user, rc, secret := name.Text, code.Text, []byte(pass.Text)
		locked, params := s.store, s.params
		go func() {
			st := locked
			var (
				u   storage.User
				err error
			)
			if st == nil {
				st, err = sqlite.Open(s.ctx, s.opts.StoreDir)
			}
			if err == nil {
				u, err = st.Recover(s.ctx, rc, user, secret, params)
				if err != nil && locked == nil {
					st.Close()
				}
			}
			Do(func() {
				if err != nil {
					form.Enable()
					status.SetText(fmt.Sprintf("Could not reset the passphrase: %v", err))
					return
				}
				s.store = st
				s.showPatients(u)
			})
		}()
	}
	title := widget.NewLabelWithStyle("Reset a passphrase with the recovery code", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	return container.NewCenter(container.NewVBox(title, form, status))
}

// changePassphrase asks the current user for the old passphrase and a new
// one; the store checks the old one and audits the change.
func (s *session) changePassphrase() *dialog.FormDialog {
	old, pass, again := widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	items := []*widget.FormItem{{Text: "Current passphrase", Widget: old},
		{Text: "New passphrase", Widget: pass, HintText: fmt.Sprintf("at least %d characters", minPassphrase)},
		{Text: "Again", Widget: again}}
	s.watchEntries(old, pass, again)
	return dialog.NewForm("Change your passphrase", "Change", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		s.applyPassphraseChange(old.Text, pass.Text, again.Text, func(err error) {
			if err != nil {
				dialog.ShowError(fmt.Errorf("the passphrase was not changed: %w", err), s.win)
				return
			}
			dialog.ShowInformation("Passphrase changed", "Use the new passphrase from now on.", s.win)
		})
	}, s.win)
}

// applyPassphraseChange checks the new passphrase, has the store change it
// on a goroutine, and calls done on the UI thread.
func (s *session) applyPassphraseChange(old, fresh, again string, done func(error)) {
	if msg := newPassphrase(fresh, again); msg != "" {
		done(errors.New(msg))
		return
	}
	st, params := s.store, s.params
	go func() {
		err := st.ChangePassphrase(s.ctx, []byte(old), []byte(fresh), params)
		Do(func() { done(err) })
	}()
}
