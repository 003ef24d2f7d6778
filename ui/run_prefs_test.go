package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestStethoscopeChoiceRemembered: a device chosen in one session is the
// one the next session opens.
func TestStethoscopeChoiceRemembered(t *testing.T) {
	test.NewTempApp(t)
	in, out, remember := stethoscopeChoice()
	if in != "" || out != "" || remember == nil {
		t.Fatalf("fresh machine: got %q %q (remember nil: %v), want defaults", in, out, remember == nil)
	}
	remember("usb-steth-1", "headset-2")
	in, out, _ = stethoscopeChoice()
	if in != "usb-steth-1" || out != "headset-2" {
		t.Fatalf("after a choice: got %q %q", in, out)
	}
	remember("", "")
	if in, out, _ = stethoscopeChoice(); in != "" || out != "" {
		t.Fatalf("back to defaults: got %q %q", in, out)
	}
}
