package app

import (
	"testing"

	"telewave/audio"
)

// The devices chosen in an earlier session are the ones the workstation's
// stethoscope opens, and a new choice reaches the caller to be remembered.
func TestStethoscopeStartsWithTheRememberedDevices(t *testing.T) {
	store, p := openStore(t)
	var heard [2]string
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p,
		Stethoscope:      func() (audio.Backend, error) { return nil, audio.ErrNoDevice },
		StethoscopeInput: "usb-steth", StethoscopeOutput: "headset",
		OnStethoscopeDevices: func(in, out string) { heard = [2]string{in, out} }})
	if err != nil {
		t.Fatal(err)
	}
	if d := w.Stethoscope.Devices(); d.Input != "usb-steth" || d.Output != "headset" {
		t.Fatalf("devices at start: %q %q", d.Input, d.Output)
	}
	if w.Stethoscope.cfg.OnDevices == nil {
		t.Fatal("the choice hook did not reach the stethoscope")
	}
	w.Stethoscope.cfg.OnDevices("a", "b")
	if heard != [2]string{"a", "b"} {
		t.Fatalf("hook heard %v", heard)
	}
}
