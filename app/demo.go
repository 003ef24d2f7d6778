package app

import (
	"context"
	"fmt"
	"io/fs"

	"telewave/devices"
	"telewave/devices/contec"
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

// Demo is the pair of simulated devices behind `telewave --demo`: a Contec
// CMS50 speaking the V7.0 protocol and an OpenBCI Cyton playing back
// MIT-BIH record 100, each on its own pty.
type Demo struct {
	Oximeter *Simulated
	ECG      *Simulated
}

// StartDemo starts both simulators on ptys; records is an fs holding
// DemoRecord (embedded in the binary).
func StartDemo(ctx context.Context, records fs.FS) (*Demo, []DeviceSpec, error) {
	ecgSrc, err := RecordSource(records, DemoRecord)
	if err != nil {
		return nil, nil, err
	}
	ox, err := Simulate(ctx, contec.Protocol, &contec.Simulator{Speed: 1, PR: contec.Fixed(75), Pleth: sim.NewSyntheticPleth(75, 1)}, "")
	if err != nil {
		return nil, nil, err
	}
	ecg, err := Simulate(ctx, openbci.Protocol, &openbci.Simulator{Speed: 1, Source: ecgSrc}, "")
	if err != nil {
		ox.Stop()
		return nil, nil, err
	}
	d := &Demo{Oximeter: ox, ECG: ecg}
	return d, d.Devices(), nil
}

// Devices returns the device slots that read the demo's simulators.
func (d *Demo) Devices() []DeviceSpec {
	ecgDrv := openbci.NewDriver(nil)
	ecgDrv.Montage = DemoMontage()
	return []DeviceSpec{
		{Slot: "ecg", Driver: ecgDrv, Path: d.ECG.Path},
		{Slot: "oximeter", Driver: contec.NewDriver(nil), Path: d.Oximeter.Path},
	}
}

// DemoMontage labels the board channels that carry record 100's leads.
func DemoMontage() []openbci.Lead {
	return []openbci.Lead{
		{Channel: 1, Label: "ECG II", MDC: devices.MDCECGLeadII},
		{Channel: 2, Label: "ECG V5", MDC: mdcECGLeadV5},
	}
}

// Stop stops both simulators.
func (d *Demo) Stop() {
	d.Oximeter.Stop()
	d.ECG.Stop()
}

// RecordSource plays a WFDB record from fsys in a loop, in physical units.
func RecordSource(fsys fs.FS, name string) (sim.Source, error) {
	rec, err := wfdb.Read(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("demo record: %w", err)
	}
	return sim.Loop(func() (sim.Source, error) { return rec.Source(), nil }), nil
}
