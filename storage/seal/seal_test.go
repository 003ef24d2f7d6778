package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"

	"telewave/storage"
)

func seq(n int, start byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func testSealer(tb testing.TB) *Sealer {
	tb.Helper()
	var dek DataKey
	copy(dek[:], seq(KeySize, 0))
	s, err := NewSealer(&dek)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestXChaChaKnownVectors pins the AEAD primitive: the first case is
// draft-irtf-cfrg-xchacha-03 A.3.1, the second was computed once here and
// must never change (stores written with it must keep opening).
func TestXChaChaKnownVectors(t *testing.T) {
	cases := []struct {
		name          string
		key, nonce    []byte
		plain, ad     []byte
		wantHexPrefix string
	}{
		{
			name:  "draft-irtf-cfrg-xchacha A.3.1",
			key:   seq(32, 0x80),
			nonce: seq(24, 0x40),
			plain: []byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
			ad:    mustHex(t, "50515253c0c1c2c3c4c5c6c7"),
			wantHexPrefix: "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39" +
				"ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9" +
				"21f9664c97637da9768812f615c68b13b52ec0875924c1c7987947deafd8780acf49",
		},
		{
			name:          "telewave pinned",
			key:           seq(32, 0),
			nonce:         seq(24, 0x40),
			plain:         []byte("Telewave known vector: 12 leads"),
			ad:            []byte("chunks/7/42/payload"),
			wantHexPrefix: "805c6915a7810f73af9fe9d1d8f245e4f7d9d9ab616373ab581191206860503911d794d1dfcbe4fb5535b40f9af652",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := chacha20poly1305.NewX(c.key)
			if err != nil {
				t.Fatal(err)
			}
			got := hex.EncodeToString(a.Seal(nil, c.nonce, c.plain, c.ad))
			if got != c.wantHexPrefix {
				t.Fatalf("ciphertext\n got %s\nwant %s", got, c.wantHexPrefix)
			}
		})
	}
}

// TestDerivedKeysStable pins the HKDF sub-keys through their outputs: a
// change here would orphan every blind index and audit chain on disk.
func TestDerivedKeysStable(t *testing.T) {
	s := testSealer(t)
	if got := hex.EncodeToString(s.BlindIndex(IndexMRN, " ab123 ")); got != "d621ac2f5f52ca029471601fa3135ddd57a2838aa6d360c07340968d17a9182c" {
		t.Errorf("blind index changed: %s", got)
	}
	if got := hex.EncodeToString(s.AuditMAC([]byte("prev"), []byte("a"), []byte("bc"))); got != "975588ce59bbcbae9dda017d8ec198c90540b7fed40a879d96492826582fa28f" {
		t.Errorf("audit mac changed: %s", got)
	}
}

func TestSealOpen(t *testing.T) {
	s := testSealer(t)
	plain := []byte(`{"mrn":"AB123","name":"Ada Lovelace"}`)
	sealed := s.Seal(plain, "patients", "7", "sealed")
	if len(sealed) != len(plain)+Overhead {
		t.Fatalf("sealed length %d, want %d", len(sealed), len(plain)+Overhead)
	}
	if bytes.Contains(sealed, []byte("Lovelace")) {
		t.Fatal("plaintext visible in sealed value")
	}
	if again := s.Seal(plain, "patients", "7", "sealed"); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: nonce not random")
	}
	got, err := s.Open(sealed, "patients", "7", "sealed")
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open = %q, %v", got, err)
	}

	tampered := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	other := NewDataKey()
	otherSealer, err := NewSealer(other)
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name               string
		s                  *Sealer
		sealed             []byte
		table, row, column string
	}{
		{"other row", s, sealed, "patients", "8", "sealed"},
		{"other table", s, sealed, "charts", "7", "sealed"},
		{"other column", s, sealed, "patients", "7", "device"},
		{"ambiguous split", s, sealed, "patients7", "", "sealed"},
		{"flipped version", s, tampered(0), "patients", "7", "sealed"},
		{"flipped nonce", s, tampered(5), "patients", "7", "sealed"},
		{"flipped body", s, tampered(30), "patients", "7", "sealed"},
		{"flipped tag", s, tampered(len(sealed) - 1), "patients", "7", "sealed"},
		{"truncated", s, sealed[:len(sealed)-1], "patients", "7", "sealed"},
		{"empty", s, nil, "patients", "7", "sealed"},
		{"other data key", otherSealer, sealed, "patients", "7", "sealed"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.s.Open(c.sealed, c.table, c.row, c.column); !errors.Is(err, ErrTampered) {
				t.Fatalf("err = %v, want ErrTampered", err)
			}
		})
	}
}

func TestBlindIndexNormalizes(t *testing.T) {
	s := testSealer(t)
	cases := []struct {
		a, b string
		kind string
		same bool
	}{
		{"AB123", " ab123\t", IndexMRN, true},
		{"AB123", "AB124", IndexMRN, false},
		{"Smith", "smith", "name", false}, // only MRNs are case-folded
		{"Smith", " Smith ", "name", true},
	}
	for _, c := range cases {
		t.Run(c.a+"|"+c.b, func(t *testing.T) {
			eq := bytes.Equal(s.BlindIndex(c.kind, c.a), s.BlindIndex(c.kind, c.b))
			if eq != c.same {
				t.Fatalf("equal = %v, want %v", eq, c.same)
			}
		})
	}
	if bytes.Equal(s.BlindIndex(IndexMRN, "X1"), s.BlindIndex("name", "X1")) {
		t.Fatal("kinds are not separated")
	}
}

func TestSlotWrapUnwrap(t *testing.T) {
	dek := NewDataKey()
	slot, err := Wrap(dek, []byte("correct horse"), FastParams)
	if err != nil {
		t.Fatal(err)
	}
	if len(slot.Params.Salt) != SaltSize {
		t.Fatalf("salt %d bytes", len(slot.Params.Salt))
	}
	got, err := slot.Unwrap([]byte("correct horse"))
	if err != nil || *got != *dek {
		t.Fatalf("unwrap: %v (equal %v)", err, got != nil && *got == *dek)
	}
	for _, wrong := range []string{"", "correct horsE", "correct horse "} {
		if _, err := slot.Unwrap([]byte(wrong)); !errors.Is(err, storage.ErrBadPassphrase) {
			t.Errorf("unwrap with %q: err = %v, want ErrBadPassphrase", wrong, err)
		}
	}
	damaged := slot
	damaged.Wrapped = slot.Wrapped[:10]
	if _, err := damaged.Unwrap([]byte("correct horse")); !errors.Is(err, ErrBadSlot) {
		t.Errorf("short slot: err = %v", err)
	}
	greedy := slot
	greedy.Params.MemoryKiB = 1 << 30
	if _, err := greedy.Unwrap([]byte("correct horse")); !errors.Is(err, ErrBadParams) {
		t.Errorf("huge memory: err = %v", err)
	}
}

func TestRecoveryCode(t *testing.T) {
	dek := NewDataKey()
	code := NewRecoveryCode()
	groups := strings.Split(code, "-")
	if len(groups) != 4 {
		t.Fatalf("code %q: %d groups", code, len(groups))
	}
	for _, g := range groups {
		if len(g) != 5 {
			t.Fatalf("code %q: group %q", code, g)
		}
	}
	if NewRecoveryCode() == code {
		t.Fatal("two recovery codes are equal")
	}
	slot, err := WrapRecovery(dek, code, FastParams)
	if err != nil {
		t.Fatal(err)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	typed = strings.NewReplacer("o", "0", "i", "1", "b", "8").Replace(typed)
	for _, c := range []string{code, typed} {
		got, err := slot.UnwrapRecovery(c)
		if err != nil || *got != *dek {
			t.Fatalf("unwrap with %q: %v", c, err)
		}
	}
	wrong := []byte(code)
	if wrong[0] == 'A' {
		wrong[0] = 'B'
	} else {
		wrong[0] = 'A'
	}
	for _, c := range []string{string(wrong), code[:10], code + "A", "!!!!!-AAAAA-AAAAA-AAAAA"} {
		if _, err := slot.UnwrapRecovery(c); !errors.Is(err, ErrBadPassphrase) {
			t.Errorf("unwrap with %q: err = %v", c, err)
		}
	}
}

func TestParamsRoundTrip(t *testing.T) {
	slot, err := Wrap(NewDataKey(), []byte("pw"), FastParams)
	if err != nil {
		t.Fatal(err)
	}
	b, err := slot.Params.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var p Params
	if err := p.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if p.Time != slot.Params.Time || p.MemoryKiB != slot.Params.MemoryKiB || p.Threads != slot.Params.Threads || !bytes.Equal(p.Salt, slot.Params.Salt) {
		t.Fatalf("round trip: %+v != %+v", p, slot.Params)
	}
	for _, bad := range []string{`{}`, `{"t":1,"m":8192,"p":1}`, `{"t":0,"m":8192,"p":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}`, `not json`} {
		if err := p.UnmarshalBinary([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if err := DefaultParams.Validate(); err != nil {
		t.Errorf("default params: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	s := testSealer(f)
	// A fixed genuine value (Seal is randomized, and fuzz workers rerun this
	// body, so it cannot be sealed afresh here).
	valid := mustHex(f, "018dea4297f37fffe66d33f305b1b03eeea84151a14e896afba2a8722d2338eabe74540be6aa4886b8ee")
	if _, err := s.Open(valid, "t", "r", "c"); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	f.Add(valid)
	f.Add(bytes.Repeat([]byte{1}, Overhead))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Only the one genuine value may open; every mutation of it must not.
		plain, err := s.Open(b, "t", "r", "c")
		if err == nil && (!bytes.Equal(b, valid) || string(plain) != "x") {
			t.Fatalf("forged value opened: %x", b)
		}
		if err != nil && !errors.Is(err, ErrTampered) {
			t.Fatalf("err = %v, want ErrTampered", err)
		}
	})
}

func BenchmarkSeal12KB(b *testing.B) {
	s := testSealer(b)
	plain := make([]byte, 12<<10)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		s.Seal(plain, "chunks", "7/42", "payload")
	}
}

func BenchmarkOpen12KB(b *testing.B) {
	s := testSealer(b)
	sealed := s.Seal(make([]byte, 12<<10), "chunks", "7/42", "payload")
	b.SetBytes(12 << 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Open(sealed, "chunks", "7/42", "payload"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParams(f *testing.F) {
	f.Add([]byte(`{"t":1,"m":8192,"p":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}`))
	f.Add([]byte(`{"t":4294967295,"m":0,"p":255}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Params
		if err := p.UnmarshalBinary(b); err != nil {
			return
		}
		// Whatever is accepted must be usable and survive a round trip.
		if p.Validate() != nil || len(p.Salt) != SaltSize {
			t.Fatalf("accepted invalid params %+v", p)
		}
		out, err := p.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var q Params
		if err := q.UnmarshalBinary(out); err != nil || q.Time != p.Time || q.MemoryKiB != p.MemoryKiB || q.Threads != p.Threads || !bytes.Equal(q.Salt, p.Salt) {
			t.Fatalf("round trip %+v -> %+v, %v", p, q, err)
		}
	})
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	f.Add("ABCDE-FGHIJ-KLMNO-PQRS7")
	f.Add("abcde fghij klmn0 pqrs1")
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		norm, err := NormalizeRecoveryCode(code)
		if err != nil {
			return
		}
		if len(norm) != 20 {
			t.Fatalf("normalized %q to %d characters", code, len(norm))
		}
		// The canonical form is a fixed point.
		again, err := NormalizeRecoveryCode(string(norm))
		if err != nil || !bytes.Equal(again, norm) {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", code, norm, again, err)
		}
	})
}
