package app

import (
	"context"
	"fmt"
	"io/fs"

	"telewave/devices"
	"telewave/devices/ads1298"
	"telewave/devices/contec"
	"telewave/devices/intellivue"
	"telewave/devices/openbci"
	"telewave/devices/sim"
	"telewave/formats/wfdb"
)

// DemoRecord is the MIT-BIH record the demo ECG board plays back.
const DemoRecord = "mitdb/100"

// MDC codes of the demo's leads.
const mdcECGLeadV5 uint32 = 131335

// DeviceSpec is a device slot the workstation supervises.
type DeviceSpec struct {
	Slot      string // "oximeter", "ecg"
	Driver    devices.Driver
	Path      string
	USBSerial string // the cable's USB serial number, when discovery found it
}

// Demo is the set of simulated devices behind `telewave --demo`, each on
// its own pty: a Contec CMS50 speaking the V7.0 protocol, an OpenBCI Cyton
// playing back MIT-BIH record 100, a Philips IntelliVue bedside monitor
// (ECG, pleth, arterial pressure, numerics incl. NIBP) and an ADS1298
// 12-lead board playing a LUDB 12-lead record when the records hold one
// (DemoLUDB), else a synthetic 12-lead.
type Demo struct {
	Oximeter *Simulated
	ECG      *Simulated
	Monitor  *Simulated
	Board    *Simulated
}

// DemoLUDB is the 12-lead record the demo board plays, when present.
const DemoLUDB = "ludb/1"

// StartDemo starts the simulators on ptys; records is an fs holding
// DemoRecord (embedded in the binary) and maybe DemoLUDB.
func StartDemo(ctx context.Context, records fs.FS) (*Demo, []DeviceSpec, error) {
	ecgSrc, err := RecordSource(records, DemoRecord)
	if err != nil {
		return nil, nil, err
	}
	leads, err := LUDBSource(records, DemoLUDB)
	if err != nil {
		leads = ads1298.SyntheticLeads(68, 1)
	}
	d := &Demo{}
	for _, s := range []struct {
		to       **Simulated
		protocol string
		runner   SimRunner
	}{
		{&d.Oximeter, contec.Protocol, &contec.Simulator{Speed: 1, PR: contec.Fixed(75), Pleth: sim.NewSyntheticPleth(75, 1)}},
		{&d.ECG, openbci.Protocol, &openbci.Simulator{Speed: 1, Source: ecgSrc}},
		{&d.Monitor, intellivue.Protocol, &intellivue.Simulator{Speed: 1}},
		{&d.Board, ads1298.Protocol, &ads1298.Simulator{Speed: 1, Source: leads}},
	} {
		sm, err := Simulate(ctx, s.protocol, s.runner, "")
		if err != nil {
			d.Stop()
			return nil, nil, err
		}
		*s.to = sm
	}
	return d, d.Devices(), nil
}

// Devices returns the device slots that read the demo's simulators.
func (d *Demo) Devices() []DeviceSpec {
	ecgDrv := openbci.NewDriver(nil)
	ecgDrv.Montage = DemoMontage()
	return []DeviceSpec{
		{Slot: "ecg", Driver: ecgDrv, Path: d.ECG.Path},
		{Slot: "oximeter", Driver: contec.NewDriver(nil), Path: d.Oximeter.Path},
		{Slot: "monitor", Driver: intellivue.NewDriver(nil), Path: d.Monitor.Path},
		{Slot: "12-lead", Driver: ads1298.NewDriver(nil), Path: d.Board.Path},
	}
}

// DemoMontage labels the board channels that carry record 100's leads.
func DemoMontage() []openbci.Lead {
	return []openbci.Lead{
		{Channel: 1, Label: "ECG II", MDC: devices.MDCECGLeadII},
		{Channel: 2, Label: "ECG V5", MDC: mdcECGLeadV5},
	}
}

// Stop stops the simulators.
func (d *Demo) Stop() {
	for _, s := range []*Simulated{d.Oximeter, d.ECG, d.Monitor, d.Board} {
		if s != nil {
			s.Stop()
		}
	}
}

// RecordSource plays a WFDB record from fsys in a loop, in physical units.
func RecordSource(fsys fs.FS, name string) (sim.Source, error) {
	rec, err := wfdb.Read(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("demo record: %w", err)
	}
	return sim.Loop(func() (sim.Source, error) { return rec.Source(), nil }), nil
}
