package app

import (
	"telewave/devices"
	"telewave/devices/ad8232"
	"telewave/devices/ads1298"
	"telewave/devices/contec"
	"telewave/devices/datex"
	"telewave/devices/intellivue"
	"telewave/devices/masimo"
	"telewave/devices/medibus"
	"telewave/devices/nonin"
	"telewave/devices/openbci"
	"telewave/devices/sim"
)

// USB serial chips found in the cables of the devices below. A VID:PID
// names the chip, not the device, so discovery probes every protocol that
// lists it.
const (
	cp2102     = "10c4:ea60" // Silicon Labs CP210x
	ft232r     = "0403:6001" // FTDI FT232R
	ft231x     = "0403:6015" // FTDI FT231X (OpenBCI dongle)
	pl2303     = "067b:2303" // Prolific PL2303
	ch340      = "1a86:7523" // WCH CH340
	moxaUPo    = "110a:1150" // Moxa UPort 1150 (bedside RS-232 adapters)
	arduinoUno = "2341:0043"
)

// rs232 are the USB–RS-232 adapters clinics put on monitors and ventilators.
var rs232 = []string{ft232r, pl2303, ch340, moxaUPo}

var protocols = []Protocol{
	{Name: contec.Protocol, VIDPIDs: []string{cp2102},
		Driver: func() devices.Driver { return contec.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &contec.Simulator{Pleth: src, Speed: speed}
		}},
	{Name: openbci.Protocol, VIDPIDs: []string{ft231x},
		Driver: func() devices.Driver { return openbci.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &openbci.Simulator{Source: src, Speed: speed}
		}},
	{Name: intellivue.Protocol, VIDPIDs: rs232,
		Driver: func() devices.Driver { return intellivue.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &intellivue.Simulator{ECG: src, Speed: speed}
		}},
	{Name: datex.Protocol, VIDPIDs: rs232,
		Driver: func() devices.Driver { return datex.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &datex.Simulator{ECG: src, Speed: speed}
		}},
	{Name: medibus.Protocol, VIDPIDs: rs232,
		Driver: func() devices.Driver { return medibus.NewDriver(nil) },
		Simulator: func(_ sim.Source, speed float64) SimRunner {
			return &medibus.Simulator{Speed: speed}
		}},
	{Name: contec.LegacyProtocol, VIDPIDs: []string{cp2102},
		Driver: func() devices.Driver { return contec.NewLegacyDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &contec.LegacySimulator{Pleth: src, Speed: speed}
		}},
	{Name: nonin.Protocol, VIDPIDs: rs232,
		Driver: func() devices.Driver { return nonin.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &nonin.Simulator{Pleth: src, Speed: speed}
		}},
	{Name: masimo.Protocol, VIDPIDs: rs232,
		Driver: func() devices.Driver { return masimo.NewDriver(nil) },
		Simulator: func(_ sim.Source, speed float64) SimRunner {
			return &masimo.Simulator{Speed: speed}
		}},
	{Name: ad8232.Protocol, VIDPIDs: []string{arduinoUno, ch340, ft232r},
		Driver: func() devices.Driver { return ad8232.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &ad8232.Simulator{Source: src, Speed: speed}
		}},
	{Name: ads1298.Protocol, VIDPIDs: []string{cp2102, ft232r},
		Driver: func() devices.Driver { return ads1298.NewDriver(nil) },
		Simulator: func(src sim.Source, speed float64) SimRunner {
			return &ads1298.Simulator{Source: src, Speed: speed}
		}},
}
