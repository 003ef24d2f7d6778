package wfdb

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
)

// ReadFirstFile reads record name keeping only the signals stored in the
// same file as its first signal: a PTB record keeps its Frank leads in a
// second file, which Read refuses.
func ReadFirstFile(fsys fs.FS, name string) (*Record, error) {
	hea, err := fs.ReadFile(fsys, name+".hea")
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	h, err := ParseHeader(bytes.NewReader(hea))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	if len(h.Signals) == 0 {
		return nil, fmt.Errorf("read record %s: no signals", name)
	}
	first := h.Signals[0]
	kept := h.Signals[:0:0]
	for _, s := range h.Signals {
		if s.File == first.File {
			if s.Format != first.Format {
				return nil, fmt.Errorf("read record %s: formats %d and %d in one file", name, first.Format, s.Format)
			}
			kept = append(kept, s)
		}
	}
	if len(kept) == len(h.Signals) {
		return Read(fsys, name)
	}
	data, err := fs.ReadFile(fsys, path.Join(path.Dir(name), first.File))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	h.Signals = kept
	r := &Record{Header: h}
	switch first.Format {
	case 16:
		r.Samples, err = Decode16(data, len(kept))
	case 212:
		r.Samples, err = Decode212(data, len(kept))
	default:
		err = fmt.Errorf("format %d is not supported", first.Format)
	}
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	if h.NSamples > 0 && len(r.Samples[0]) > h.NSamples {
		for i := range r.Samples {
			r.Samples[i] = r.Samples[i][:h.NSamples]
		}
	}
	return r, nil
}
