package wire

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage/wavecodec"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

const vectorsPath = "testdata/vectors.json"

// vectorDoc documents vectors.json; it is written into the file as "_doc".
var vectorDoc = map[string]string{
	"about":              "Deterministic test vectors for protocol v1 (docs/telehealth.md), made by TestVectors in sync/live/wire (go test ./sync/live/wire -run TestVectors -update). Hex is lower case; sid and host_public_b64url are base64url without padding as in the link.",
	"link":               "the invite link made from base, sid, host_public and expires_unix",
	"host_private_hex":   "the host's P-256 private scalar (32 bytes); host_public_hex its uncompressed public key (65 bytes, 04‖X‖Y)",
	"viewer_private_hex": "the viewer's ephemeral P-256 private scalar; viewer_public_hex its public key, carried in clear in the knock",
	"ecdh_hex":           "Z = ECDH(viewer private, host public) = ECDH(host private, viewer public): the X coordinate, 32 bytes",
	"kv_hex":             "the viewer key: HKDF-SHA256(ikm=Z, salt=the 16 sid bytes, info=\"telewave live v1 viewer\", 32 bytes)",
	"stream_key_hex":     "the stream key of epoch 1 (AES-256), as the grant carries it (base64 in its JSON)",
	"frames":             "in the order they are sent: knock (viewer→host, kv), grant (host→viewer, kv), three stream frames (stream key of epoch 1: wave, audio, state), a viewer message (kv). Each: name, class, epoch, sender, counter, key_hex (the AES-256-GCM key that opens it), nonce_hex (sender u32 BE ‖ counter u64 BE), ad_hex (the associated data: every header byte before the ciphertext ‖ the 16 sid bytes), plaintext_hex, frame_hex (the whole frame) and the decoded payload: json (classes 3-6) or waves (classes 1-2)",
	"waves":              "a decoded wave/audio payload: sent_ms (u64 BE at the start), chunks with handle, seq, time_ms (absolute; on the wire a signed varint relative to sent_ms), flags (1 GapBefore, 2 LeadOff, 4 Questionable), first (the first sample, a signed varint on the wire), codec_hex (the wavecodec version 1 bytes carried after the byte length: the samples minus first, modulo 2^32) and samples (decoded and first added back)",
}

type vectorChunk struct {
	Handle   uint32  `json:"handle"`
	Seq      uint64  `json:"seq"`
	TimeMS   int64   `json:"time_ms"`
	Flags    uint8   `json:"flags"`
	First    int32   `json:"first"`
	CodecHex string  `json:"codec_hex"`
	Samples  []int32 `json:"samples"`
}

type vectorWaves struct {
	SentMS int64         `json:"sent_ms"`
	Chunks []vectorChunk `json:"chunks"`
}

type vectorFrame struct {
	Name         string          `json:"name"`
	Class        Class           `json:"class"`
	Epoch        uint32          `json:"epoch"`
	Sender       uint32          `json:"sender"`
	Counter      uint64          `json:"counter"`
	KeyHex       string          `json:"key_hex"`
	NonceHex     string          `json:"nonce_hex"`
	ADHex        string          `json:"ad_hex"`
	PlaintextHex string          `json:"plaintext_hex"`
	FrameHex     string          `json:"frame_hex"`
	JSON         json.RawMessage `json:"json,omitempty"`
	Waves        *vectorWaves    `json:"waves,omitempty"`
}

type vectors struct {
	Doc              map[string]string `json:"_doc"`
	Base             string            `json:"base"`
	SID              string            `json:"sid"`
	SIDHex           string            `json:"sid_hex"`
	ExpiresUnix      int64             `json:"expires_unix"`
	Link             string            `json:"link"`
	HostPrivateHex   string            `json:"host_private_hex"`
	HostPublicHex    string            `json:"host_public_hex"`
	HostPublicB64    string            `json:"host_public_b64url"`
	ViewerPrivateHex string            `json:"viewer_private_hex"`
	ViewerPublicHex  string            `json:"viewer_public_hex"`
	ECDHHex          string            `json:"ecdh_hex"`
	KVHex            string            `json:"kv_hex"`
	StreamKeyHex     string            `json:"stream_key_hex"`
	Frames           []vectorFrame     `json:"frames"`
}

// vectorWave is a 500 Hz ECG lead crossing zero and a pleth, so the JS
// decoder meets negative samples, a GapBefore flag and a negative time.
func vectorWaveChunks(sent time.Time) []WaveChunk {
	return []WaveChunk{
		{Handle: 1, Seq: 41, Time: sent.Add(-52 * time.Millisecond), Flags: devices.GapBefore,
			Samples: []int32{-12, -15, -9, 4, 37, 120, 310, 402, 260, 40, -85, -140, -96, -40, -18, -11, -9, -10, -12, -13}},
		{Handle: 2, Seq: 7, Time: sent.Add(-48 * time.Millisecond), Samples: []int32{2210, 2356, 2480, 2531}},
	}
}

func vectorAudioChunks(sent time.Time) []WaveChunk {
	s := make([]int32, 40)
	for i := range s {
		s[i] = int32((i*7919)%2001) - 1000
	}
	return []WaveChunk{{Handle: 3, Seq: 1000, Time: sent.Add(-40 * time.Millisecond), Samples: s}}
}

func vectorState() State {
	at := time.UnixMilli(1_767_225_000_000).UTC()
	alarms := []AlarmRec{{ID: "hr-high", Priority: devices.High, Text: "HR 142 > 120", Source: "monitor", Flashing: true, Audible: true}}
	return State{Time: at.UnixMilli(),
		Numerics: []NumericRec{{Device: "monitor", Numeric: devices.Numeric{Code: 147842, Label: "HR", Value: 142, Unit: "/min", Time: at}}},
		Alarms:   &alarms}
}

func makeVectors(t *testing.T) vectors {
	t.Helper()
	hostPriv, viewerPriv := fixedKey(t, "vectors host"), fixedKey(t, "vectors viewer")
	h, err := newHost(testSID, hostPriv, seeded("vectors stream"))
	if err != nil {
		t.Fatal(err)
	}
	inv := Invite{Base: "https://relay.example:8443", Session: testSID, HostKey: h.PublicKey(), Expires: time.Unix(1_767_226_800, 0)}
	v, err := newViewer(inv, viewerPriv)
	if err != nil {
		t.Fatal(err)
	}
	z, err := viewerPriv.ECDH(hostPriv.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	kv, _ := hkdf.Key(sha256.New, z, testSID[:], "telewave live v1 viewer", 32)
	at := time.UnixMilli(1_767_225_000_040).UTC()
	grant := h.Grant(1, Patient{Name: "Jane Roe", MRN: "MRN-0001"}, State{Time: at.UnixMilli(),
		Signals: []SignalDef{
			{Handle: 1, Device: "monitor", Signal: devices.Signal{ID: "ecg-2", Label: "ECG II", Kind: devices.KindECG, MDC: 131074, Unit: "mV", SampleRate: 500, Scale: 0.005, Min: -2048, Max: 2047}},
			{Handle: 2, Device: "monitor", Signal: devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, Unit: "1", SampleRate: 100, Scale: 1.0 / 4096, Max: 4095}},
			{Handle: 3, Device: "steth", Signal: devices.Signal{ID: "audio", Label: "Stethoscope", Kind: devices.KindAudio, Unit: "1", SampleRate: 1000, Scale: 1.0 / 32768, Min: -32768, Max: 32767}},
		}})
	vs := vectors{Doc: vectorDoc, Base: inv.Base, SID: testSID.String(), SIDHex: hex.EncodeToString(testSID[:]),
		ExpiresUnix: inv.Expires.Unix(), Link: inv.Link(),
		HostPrivateHex: hex.EncodeToString(hostPriv.Bytes()), HostPublicHex: hex.EncodeToString(h.PublicKey()),
		HostPublicB64:    b64.EncodeToString(h.PublicKey()),
		ViewerPrivateHex: hex.EncodeToString(viewerPriv.Bytes()), ViewerPublicHex: hex.EncodeToString(v.PublicKey()),
		ECDHHex: hex.EncodeToString(z), KVHex: hex.EncodeToString(kv), StreamKeyHex: hex.EncodeToString(grant.Key)}

	add := func(name string, frame []byte, key []byte) {
		t.Helper()
		hd, err := parseHeader(frame)
		if err != nil {
			t.Fatal(err)
		}
		aead, _ := newAEAD(key)
		pt, err := open(aead, testSID, hd, frame)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f := vectorFrame{Name: name, Class: hd.class, Epoch: hd.epoch, Sender: hd.sender, Counter: hd.counter,
			KeyHex: hex.EncodeToString(key), NonceHex: hex.EncodeToString(frame[offNonce:headerLen]),
			ADHex:        hex.EncodeToString(append(bytes.Clone(frame[:hd.len()]), testSID[:]...)),
			PlaintextHex: hex.EncodeToString(pt), FrameHex: hex.EncodeToString(frame)}
		if hd.class == ClassWave || hd.class == ClassAudio {
			f.Waves = decodeVectorWaves(t, pt)
		} else {
			f.JSON = pt
		}
		vs.Frames = append(vs.Frames, f)
	}
	knock, err := v.Knock(Knock{Name: "Dr Ana Müller", Client: "browser"})
	if err != nil {
		t.Fatal(err)
	}
	add("knock", knock, kv)
	g, _, err := h.OpenKnock(knock)
	if err != nil {
		t.Fatal(err)
	}
	gf, err := g.SealGrant(grant)
	if err != nil {
		t.Fatal(err)
	}
	add("grant", gf, kv)
	state, _ := json.Marshal(vectorState())
	for _, s := range []struct {
		name  string
		class Class
		p     []byte
	}{
		{"wave", ClassWave, AppendWaves(nil, at, vectorWaveChunks(at))},
		{"audio", ClassAudio, AppendWaves(nil, at, vectorAudioChunks(at))},
		{"state", ClassState, state},
	} {
		add(s.name, mustSeal(t, h, s.class, s.p), grant.Key)
	}
	mf, err := v.Seal(ViewerMessage{Marker: &Marker{Time: at.UnixMilli() - 300, Device: "monitor", Signal: "ecg-2", Note: "PVC?"}})
	if err != nil {
		t.Fatal(err)
	}
	add("viewer message", mf, kv)
	return vs
}

// decodeVectorWaves reads a wave payload field by field, independently of
// ReadWaves, so the file documents the layout and checks it.
func decodeVectorWaves(t *testing.T, p []byte) *vectorWaves {
	t.Helper()
	w := &vectorWaves{SentMS: int64(binary.BigEndian.Uint64(p))}
	for r := p[8:]; len(r) > 0; {
		var c vectorChunk
		var n int
		var h uint64
		h, n = binary.Uvarint(r)
		c.Handle, r = uint32(h), r[n:]
		c.Seq, n = binary.Uvarint(r)
		r = r[n:]
		d, n := binary.Varint(r)
		c.TimeMS, r = w.SentMS+d, r[n:]
		c.Flags, r = r[0], r[1:]
		first, n := binary.Varint(r)
		c.First, r = int32(first), r[n:]
		l, n := binary.Uvarint(r)
		enc := r[n : n+int(l)]
		r = r[n+int(l):]
		c.CodecHex = hex.EncodeToString(enc)
		s, err := wavecodec.Decode(enc, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range s {
			s[i] += c.First
		}
		c.Samples = s
		w.Chunks = append(w.Chunks, c)
	}
	return w
}

// TestVectors checks testdata/vectors.json against what the package makes
// now (rewrite it with -update), then opens every frame of the file with
// keys rebuilt from the file's private keys alone.
func TestVectors(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the link's & readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(makeVectors(t)); err != nil {
		t.Fatal(err)
	}
	want := buf.Bytes()
	if *update {
		if err := os.MkdirAll(filepath.Dir(vectorsPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("%v (run with -update to make it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from what the package makes now: the wire format changed; if that is meant, rerun with -update and tell the viewer's authors", vectorsPath)
	}
	var vs vectors
	if err := json.Unmarshal(got, &vs); err != nil {
		t.Fatal(err)
	}
	checkVectorFile(t, vs)
}

func checkVectorFile(t *testing.T, vs vectors) {
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	inv, err := ParseInvite(vs.Link)
	if err != nil {
		t.Fatal(err)
	}
	hp, err := ecdh.P256().NewPrivateKey(unhex(vs.HostPrivateHex))
	if err != nil {
		t.Fatal(err)
	}
	vp, err := ecdh.P256().NewPrivateKey(unhex(vs.ViewerPrivateHex))
	if err != nil {
		t.Fatal(err)
	}
	host, err := newHost(inv.Session, hp, seeded("unused"))
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := newViewer(inv, vp)
	if err != nil {
		t.Fatal(err)
	}
	var guest *Guest
	for _, f := range vs.Frames {
		frame := unhex(f.FrameHex)
		var pt []byte
		switch f.Class {
		case ClassKnock:
			guest, _, err = host.OpenKnock(frame)
			pt = f.JSON
		case ClassGrant:
			_, err = viewer.OpenGrant(frame)
			pt = f.JSON
		case ClassViewer:
			_, err = guest.Open(frame)
			pt = f.JSON
		default:
			var c Class
			c, pt, err = viewer.OpenStream(frame)
			if err == nil && c != f.Class {
				t.Errorf("%s: class %v, file says %v", f.Name, c, f.Class)
			}
			if f.Waves != nil {
				sent, chunks, err := ReadWaves(pt)
				if err != nil || sent.UnixMilli() != f.Waves.SentMS || len(chunks) != len(f.Waves.Chunks) {
					t.Errorf("%s: ReadWaves %v, %d chunks, %v", f.Name, sent, len(chunks), err)
				}
			}
		}
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		if f.JSON != nil {
			var c bytes.Buffer
			if err := json.Compact(&c, f.JSON); err != nil {
				t.Fatal(err)
			}
			pt = c.Bytes() // the file holds it indented
		}
		if !bytes.Equal(pt, unhex(f.PlaintextHex)) {
			t.Errorf("%s: plaintext differs from plaintext_hex", f.Name)
		}
	}
}
