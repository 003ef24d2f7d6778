package view

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/wire"
)

var (
	t0   = time.UnixMilli(1_770_000_000_000)
	defs = []wire.SignalDef{
		{Handle: 1, Device: "ecg", Signal: devices.Signal{ID: "ecg-ii", Kind: devices.KindECG, SampleRate: 500}},
		{Handle: 2, Device: "stethoscope", Signal: devices.Signal{ID: "pcg", Kind: devices.KindAudio, SampleRate: 4000}},
	}
)

func TestDecoderMarksGaps(t *testing.T) {
	d := newDecoder()
	d.state(wire.State{Signals: defs})
	for _, tc := range []struct {
		name  string
		in    []wire.WaveChunk
		flags []devices.ChunkFlags // of the chunks out, in order
	}{
		{"first chunk of a signal", []wire.WaveChunk{{Handle: 1, Seq: 7, Samples: []int32{1}}}, []devices.ChunkFlags{0}},
		{"the next seq", []wire.WaveChunk{{Handle: 1, Seq: 8, Samples: []int32{2}}}, []devices.ChunkFlags{0}},
		{"a dropped frame", []wire.WaveChunk{{Handle: 1, Seq: 10, Samples: []int32{3}}, {Handle: 2, Seq: 0, Samples: []int32{4}}},
			[]devices.ChunkFlags{devices.GapBefore, 0}},
		{"the host's own gap flag kept", []wire.WaveChunk{{Handle: 1, Seq: 11, Flags: devices.GapBefore | devices.LeadOff, Samples: []int32{5}}},
			[]devices.ChunkFlags{devices.GapBefore | devices.LeadOff}},
		{"a signal not described is dropped", []wire.WaveChunk{{Handle: 9, Seq: 0, Samples: []int32{6}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.in {
				tc.in[i].Time = t0
			}
			ms, err := d.waves(wire.AppendWaves(nil, t0, tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var flags []devices.ChunkFlags
			for i, m := range ms {
				c := m.Msg.(*devices.Chunk)
				flags = append(flags, c.Flags)
				if want := tc.in[i]; c.Seq != want.Seq || !slices.Equal(c.Samples, want.Samples) || !c.HostTime.Equal(t0) {
					t.Errorf("chunk %d: %+v, want %+v", i, c, want)
				}
			}
			if !slices.Equal(flags, tc.flags) {
				t.Errorf("flags %v, want %v", flags, tc.flags)
			}
		})
	}
	if d.gaps != 1 || d.unknown != 1 {
		t.Errorf("counted %d gaps and %d unknown chunks, want 1 and 1", d.gaps, d.unknown)
	}
}

func TestDecoderState(t *testing.T) {
	d := newDecoder()
	alarms := []wire.AlarmRec{{ID: "hr-high", Priority: devices.High, Text: "HR HIGH"}}
	ms := d.state(wire.State{Signals: defs, Alarms: &alarms,
		Numerics: []wire.NumericRec{{Device: "mon", Numeric: devices.Numeric{Code: 1, Value: 80}}},
		Markers:  []wire.Marker{{Time: 5, Device: "ecg", Signal: "ecg-ii", Note: "here", By: "Dr. A"}}})
	var types []string
	for _, m := range ms {
		types = append(types, m.Msg.MessageType())
	}
	if want := []string{"signal", "signal", "numeric", "alarms", "marker"}; !slices.Equal(types, want) {
		t.Errorf("messages %v, want %v", types, want)
	}
	// The same definitions again (a rekey's grant) say nothing new.
	if ms := d.state(wire.State{Signals: defs}); len(ms) != 0 {
		t.Errorf("repeated definitions gave %d messages", len(ms))
	}
	b, _ := json.Marshal(&Alarms{List: alarms})
	if string(b) != `{"alarms":[{"id":"hr-high","priority":3,"text":"HR HIGH","source":"","flashing":false,"audible":false,"acknowledged":false}]}` {
		t.Errorf("alarms JSON %s", b)
	}
}

// Whatever a host seals, the decoder neither panics nor hands out a chunk
// of a signal it does not know.
func FuzzDecodeWaves(f *testing.F) {
	f.Add(wire.AppendWaves(nil, t0, []wire.WaveChunk{{Handle: 1, Seq: 3, Time: t0, Samples: []int32{1, -2, 3}},
		{Handle: 2, Seq: 1, Time: t0.Add(-time.Second), Flags: devices.GapBefore, Samples: []int32{-32768, 32767}}}))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, p []byte) {
		d := newDecoder()
		d.state(wire.State{Signals: defs})
		ms, err := d.waves(p)
		if err != nil {
			return
		}
		for _, m := range ms {
			c := m.Msg.(*devices.Chunk)
			if c.Signal != "ecg-ii" && c.Signal != "pcg" {
				t.Fatalf("chunk of %q", c.Signal)
			}
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	b, _ := json.Marshal(wire.State{Time: 1, Signals: defs, Numerics: []wire.NumericRec{{Device: "m", Numeric: devices.Numeric{Code: 1}}}})
	f.Add(b)
	f.Add([]byte(`{"alarms":null,"markers":[{}]}`))
	f.Fuzz(func(t *testing.T, p []byte) {
		var st wire.State
		if json.Unmarshal(p, &st) != nil {
			return
		}
		d := newDecoder()
		for _, m := range d.state(st) {
			if m.Msg == nil {
				t.Fatal("nil message")
			}
		}
	})
}
