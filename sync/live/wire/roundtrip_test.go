package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"telewave/devices"
)

func TestStreamRoundTrip(t *testing.T) {
	h := testHost(t, "rt")
	v := testViewer(t, h, "rt")
	admit(t, h, v, 7)
	if v.ID() != 7 {
		t.Errorf("viewer id %d, want 7", v.ID())
	}
	wave := AppendWaves(nil, time.UnixMilli(1_700_000_000_123), []WaveChunk{{Handle: 1, Seq: 3, Time: time.UnixMilli(1_700_000_000_083), Samples: []int32{1, -2, 3}}})
	state, _ := json.Marshal(State{Time: 5, Numerics: []NumericRec{{Device: "a", Numeric: devices.Numeric{Code: 1, Label: "HR", Value: 72}}}})
	tests := []struct {
		name    string
		class   Class
		payload []byte
	}{
		{"wave", ClassWave, wave},
		{"audio", ClassAudio, AppendWaves(nil, time.UnixMilli(1), nil)},
		{"state", ClassState, state},
		{"empty", ClassState, nil},
		{"large", ClassAudio, bytes.Repeat([]byte{0xa5}, MaxFrame-headerLen-tagLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustSeal(t, h, tt.class, tt.payload)
			if c, err := FrameClass(f); err != nil || c != tt.class {
				t.Fatalf("FrameClass = %v, %v; want %v", c, err, tt.class)
			}
			if bytes.Contains(f, tt.payload) && len(tt.payload) > 4 {
				t.Error("the frame holds the payload in clear")
			}
			c, p, err := v.OpenStream(f)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if c != tt.class || !bytes.Equal(p, tt.payload) {
				t.Errorf("opened %v %x, want %v %x", c, p, tt.class, tt.payload)
			}
		})
	}
}

func TestSealStreamRefuses(t *testing.T) {
	h := testHost(t, "refuse")
	for _, c := range []Class{0, ClassGrant, ClassKnock, ClassViewer, 7} {
		if _, err := h.SealStream(c, nil); !errors.Is(err, ErrFrame) {
			t.Errorf("SealStream(%v) = %v, want ErrFrame", c, err)
		}
	}
	if _, err := h.SealStream(ClassWave, make([]byte, MaxFrame-headerLen-tagLen+1)); !errors.Is(err, ErrFrame) {
		t.Errorf("oversized payload: %v, want ErrFrame", err)
	}
}

func TestKnockGrantViewerMessage(t *testing.T) {
	h := testHost(t, "kgv")
	v := testViewer(t, h, "kgv")
	knock := Knock{Name: "Dr Ana Müller", Client: "browser"}
	kf, err := v.Knock(knock)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := FrameClass(kf); err != nil || c != ClassKnock {
		t.Fatalf("FrameClass(knock) = %v, %v", c, err)
	}
	g, got, err := h.OpenKnock(kf)
	if err != nil {
		t.Fatal(err)
	}
	if got != knock || g.Knock() != knock || !bytes.Equal(g.PublicKey(), v.PublicKey()) {
		t.Errorf("knock %+v / %+v, want %+v", got, g.Knock(), knock)
	}
	alarms := []AlarmRec{{ID: "a1", Priority: devices.High, Text: "HR HIGH", Source: "mon", Flashing: true, Audible: true}}
	snap := State{Time: 1_700_000_000_000,
		Signals:  []SignalDef{{Handle: 1, Device: "mon", Signal: devices.Signal{ID: "ecg-2", Label: "II", Kind: devices.KindECG, Unit: "mV", SampleRate: 500, Scale: 0.005, Min: -2048, Max: 2047}}},
		Numerics: []NumericRec{{Device: "mon", Numeric: devices.Numeric{Code: 147842, Label: "HR", Value: 71, Unit: "/min", Time: time.UnixMilli(1_700_000_000_000).UTC()}}},
		Events:   []EventRec{{Device: "mon", Event: devices.Event{Code: devices.EventLeadOff, Text: "lead off", Time: time.UnixMilli(1_700_000_000_000).UTC(), Priority: devices.Medium}}},
		Alarms:   &alarms,
		Markers:  []Marker{{Time: 5, Device: "mon", Signal: "ecg-2", Note: "PVC", By: "Dr X"}},
	}
	want := h.Grant(3, Patient{Name: "Jane Roe", MRN: "12345"}, snap)
	gf, err := g.SealGrant(want)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := v.OpenGrant(gf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gr, want) {
		t.Errorf("grant\n got %+v\nwant %+v", gr, want)
	}
	mf, err := v.Seal(ViewerMessage{Marker: &Marker{Time: 9, Device: "mon", Signal: "ecg-2", Note: "ST?", By: "someone else"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := g.Open(mf)
	if err != nil {
		t.Fatal(err)
	}
	if wantM := (Marker{Time: 9, Device: "mon", Signal: "ecg-2", Note: "ST?", By: knock.Name}); m.Marker == nil || *m.Marker != wantM {
		t.Errorf("marker %+v, want %+v (By from the knock)", m.Marker, wantM)
	}
}

func TestStateJSONShape(t *testing.T) {
	alarms := []AlarmRec{}
	b, err := json.Marshal(State{Time: 1, Numerics: []NumericRec{{Device: "d", Numeric: devices.Numeric{Label: "HR", Value: 60}}}, Alarms: &alarms})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	num := m["numerics"].([]any)[0].(map[string]any)
	if num["device"] != "d" || num["label"] != "HR" || num["value"] != 60.0 || num["status"] != "valid" {
		t.Errorf("numeric JSON %s: want the numeric's fields beside device", b)
	}
	if a, ok := m["alarms"].([]any); !ok || len(a) != 0 {
		t.Errorf("an empty alarm list must be sent as [] (cleared), got %s", b)
	}
	b, _ = json.Marshal(State{Time: 1})
	if string(b) != `{"t":1}` {
		t.Errorf("unchanged state %s, want {\"t\":1}", b)
	}
}
