package alarms

import (
	"image/color"

	"telewave/devices"
)

// Style is how an alarm of one priority is signalled (IEC 60601-1-8,
// table 2 for the visual and table 3 for the sounds' names).
type Style struct {
	Colour     color.NRGBA
	ColourName string
	// FlashHz is the flashing rate of the visual indicator; 0 means
	// constant (on, not flashing). The duty cycle is 50 %.
	FlashHz float64
	// Sound is the asset to play while the alarm is audible: a file of
	// package assets (assets.Sounds), repeated every assets.RepeatSeconds.
	Sound string
}

// Styles per priority: high red flashing at 2 Hz (standard: 1.4–2.8 Hz),
// medium yellow at 0.6 Hz (0.4–0.8 Hz), low cyan constant.
var styles = map[devices.Priority]Style{
	devices.High:   {color.NRGBA{R: 0xE0, G: 0x10, B: 0x10, A: 0xFF}, "red", 2.0, "alarm-high.wav"},
	devices.Medium: {color.NRGBA{R: 0xFF, G: 0xD0, B: 0x00, A: 0xFF}, "yellow", 0.6, "alarm-medium.wav"},
	devices.Low:    {color.NRGBA{R: 0x00, G: 0xC8, B: 0xE0, A: 0xFF}, "cyan", 0, "alarm-low.wav"},
	devices.Info:   {color.NRGBA{R: 0xC0, G: 0xC0, B: 0xC0, A: 0xFF}, "grey", 0, ""},
}

// StyleOf returns how alarms of priority p are shown and sounded.
func StyleOf(p devices.Priority) Style {
	if s, ok := styles[p]; ok {
		return s
	}
	return styles[devices.Info]
}

// PriorityName returns "high", "medium", "low" or "info" (devices.Priority
// has no String method yet).
func PriorityName(p devices.Priority) string {
	switch p {
	case devices.High:
		return "high"
	case devices.Medium:
		return "medium"
	case devices.Low:
		return "low"
	}
	return "info"
}
