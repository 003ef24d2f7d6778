package scpecg

import (
	"fmt"
	"slices"

	"telewave/formats/ecg12"
)

// File is everything Parse reads from an SCP-ECG file: the common record
// and what only SCP-ECG has.
type File struct {
	Record   *ecg12.Record
	Version  string // protocol version of section 0: "1.3", "2.0", "3.0"
	Sections []SectionInfo
	// Beats are the QRS complexes of section 4, in file order.
	Beats []Beat
	// ReferenceBeatSubtracted is set when section 3 says the rhythm data
	// were stored with the reference beat subtracted (and Parse added it back).
	ReferenceBeatSubtracted bool
	// LeadMeasurements are section 10's per-lead measurements.
	LeadMeasurements []LeadMeasurements
	// Warnings say where the file departs from the standard in a way the
	// reader could still make sense of, e.g. rhythm data shorter than section
	// 3 declares.
	Warnings []string
}

// Parse reads a whole SCP-ECG file. Errors wrap ecg12.ErrFormat (and
// ErrUnsupported for features not decoded) and name the section and byte
// at fault; no partial result is returned.
func Parse(data []byte) (*File, error) {
	secs, err := splitSections(data)
	if err != nil {
		return nil, err
	}
	f := &File{Version: versionName(secs[0].protocol)}
	if size := int(le32(data[2:])); size < len(data) {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%d bytes after the record's end (byte %d) ignored", len(data)-size, size))
	}
	for _, s := range secs {
		f.Sections = append(f.Sections, SectionInfo{ID: s.id, Offset: s.offset, Length: len(s.body) + headerLen,
			Version: versionName(s.version), Protocol: versionName(s.protocol)})
	}
	slices.SortFunc(f.Sections, func(a, b SectionInfo) int { return a.ID - b.ID })
	rec := &ecg12.Record{Format: "SCP-ECG " + f.Version}
	f.Record = rec

	if s := secs[1]; s != nil {
		d, err := readPatient(s)
		if err != nil {
			return nil, err
		}
		rec.Patient, rec.Device, rec.Acquired = d.patient, d.device, d.acquired
	}
	if err := f.readWaveforms(secs); err != nil {
		return nil, err
	}
	if s := secs[7]; s != nil {
		if rec.Measurements, err = readGlobal(s); err != nil {
			return nil, err
		}
	}
	for _, id := range []int{8, 11} {
		if s := secs[id]; s != nil {
			st, err := readStatements(s)
			if err != nil {
				return nil, err
			}
			rec.Statements = append(rec.Statements, st...)
		}
	}
	if s := secs[10]; s != nil {
		if f.LeadMeasurements, err = readLeadMeasurements(s); err != nil {
			return nil, err
		}
	}
	if err := rec.Validate(); err != nil {
		return nil, fmt.Errorf("scp-ecg: %w", err)
	}
	return f, nil
}

// readWaveforms decodes sections 2 to 6 into the record's leads and median.
func (f *File) readWaveforms(secs map[int]*section) error {
	s3, s6 := secs[3], secs[6]
	if s3 == nil {
		return formatErr(3, 0, "lead definition section is absent")
	}
	if s6 == nil {
		return formatErr(6, 0, "rhythm data section is absent")
	}
	leads, err := readLeads(s3)
	if err != nil {
		return err
	}
	var h *huffman
	if s := secs[2]; s != nil {
		if h, err = readHuffman(s); err != nil {
			return err
		}
	}
	var q qrsTable
	if s := secs[4]; s != nil {
		if q, err = readQRS(s); err != nil {
			return err
		}
		f.Beats = q.beats
	}
	want, starts := make([]int, len(leads.leads)), make([]int, len(leads.leads))
	span := 0 // last sample number of any lead
	for i, l := range leads.leads {
		want[i], starts[i] = l.end-l.start+1, l.start
		span = max(span, l.end)
	}
	rhythm, err := readSamples(s6, h, want)
	if err != nil {
		return err
	}
	ref, haveRef, err := f.readReference(secs, h, q, len(want))
	if err != nil {
		return err
	}
	if leads.refBeatSub {
		f.ReferenceBeatSubtracted = true
		if !haveRef || secs[4] == nil {
			return formatErr(3, s3.offset+headerLen+1, "reference beat subtraction is flagged but sections 4 and 5 are not both present")
		}
		if err := addReference(rhythm, ref, q, starts); err != nil {
			return unsupported(6, s6.offset+headerLen, "%v", err)
		}
	}
	rec := f.Record
	rec.SampleRate = 1e6 / float64(rhythm.interval)
	n := span
	for _, i := range rhythm.short {
		got := len(rhythm.leads[i])
		f.Warnings = append(f.Warnings, fmt.Sprintf("section 6: lead %s holds %d of the %d samples section 3 declares",
			LeadName(leads.leads[i].id), got, want[i]))
		n = min(n, starts[i]-1+got)
	}
	stored := 0
	for _, v := range rhythm.leads {
		stored += len(v)
	}
	switch {
	case n <= 0:
		return formatErr(6, s6.offset, "no rhythm samples")
	case n > stored || n*len(want) > maxSamples:
		// Leads recorded one group after another span at most the sum of
		// their lengths; more would be a timeline the data cannot fill.
		return formatErr(3, s3.offset+headerLen, "leads span %d samples, the rhythm data hold %d in all", n, stored)
	}
	scale := float64(rhythm.avm) / 1000
	for i, l := range leads.leads {
		v := rhythm.leads[i]
		if starts[i] != 1 || len(v) != n {
			// Leads not recorded together sit at their own sample numbers;
			// the samples before and after them read as 0 µV.
			full := make([]int32, n)
			copy(full[min(starts[i]-1, n):], v)
			v = full
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: ecg12.NormalizeLabel(LeadName(l.id)), Samples: v, Scale: scale})
	}
	if haveRef {
		rec.MedianRate = 1e6 / float64(ref.interval)
		for i, l := range leads.leads {
			rec.Median = append(rec.Median, ecg12.Lead{Label: ecg12.NormalizeLabel(LeadName(l.id)), Samples: ref.leads[i], Scale: float64(ref.avm) / 1000})
		}
	}
	rec.DeriveLimbLeads() // adds III, aVR, aVL, aVF where only I and II are stored
	return nil
}

// readReference decodes section 5, the reference beat, whose length section
// 4 gives in ms. Without section 4 a Huffman-coded beat cannot be measured
// out and is skipped with a warning.
func (f *File) readReference(secs map[int]*section, h *huffman, q qrsTable, nLeads int) (samples, bool, error) {
	s5 := secs[5]
	if s5 == nil {
		return samples{}, false, nil
	}
	if len(s5.body) < 4 {
		return samples{}, false, formatErr(5, s5.offset+headerLen, "section of %d bytes has no sample interval", len(s5.body))
	}
	interval := int(le16(s5.body[2:]))
	n := maxSamples
	switch {
	case secs[4] != nil && interval > 0:
		n = min(maxSamples, q.refLengthMS*1000/interval)
	case h != nil:
		f.Warnings = append(f.Warnings, "section 5: Huffman-coded reference beat without section 4 to give its length; not read")
		return samples{}, false, nil
	}
	want := make([]int, nLeads)
	for i := range want {
		want[i] = n
	}
	ref, err := readSamples(s5, h, want)
	if err != nil {
		return samples{}, false, err
	}
	m := n
	for _, l := range ref.leads {
		m = min(m, len(l))
	}
	for i := range ref.leads {
		ref.leads[i] = ref.leads[i][:m]
	}
	return ref, m > 0, nil
}
