package scpecg

import (
	"math"
	"time"

	"telewave/formats/ecg12"
)

// syntheticECG is a resting ECG with nothing real in it: each lead a sum of
// a slow wave, a narrow spike every beat and a little deterministic noise,
// at amplitudes like a cart's (hundreds of counts, a few large jumps when
// jumps is set so that 8- and 16-bit codes get used).
func syntheticECG(labels []string, rate float64, n int, scale float64, jumps bool) *ecg12.Record {
	rec := &ecg12.Record{
		Format: "SCP-ECG 2.0", SampleRate: rate,
		Patient:  ecg12.Patient{ID: "MRN-0042", FamilyName: "Müller", GivenName: "Ana", BirthDate: time.Date(1961, 2, 28, 0, 0, 0, 0, time.UTC), Sex: "F"},
		Device:   ecg12.Device{Manufacturer: "Schiller", Model: "AT-102", Serial: "SN123", Software: "fw 3.1"},
		Acquired: time.Date(2024, 3, 9, 14, 5, 59, 0, time.UTC),
	}
	seed := uint32(7)
	for i, label := range labels {
		s := make([]int32, n)
		for k := range s {
			seed = seed*1664525 + 1013904223
			t := float64(k) / rate
			v := 120*math.Sin(2*math.Pi*0.3*t+float64(i)) + float64(seed>>28) - 8
			if ph := math.Mod(t, 0.85); ph < 0.04 {
				v += float64(300+40*i) * math.Sin(math.Pi*ph/0.04)
			}
			if jumps && k%997 == 500 {
				v = float64(30000 - 6000*(i%10)) // a pacing artefact: 16-bit codes
			}
			if jumps && k%991 == 700 {
				v += 120 // a step: 8-bit codes
			}
			s[k] = int32(math.Round(v))
		}
		rec.Leads = append(rec.Leads, ecg12.Lead{Label: label, Samples: s, Scale: scale})
	}
	return rec
}

// recrc recomputes every section CRC section 0 points at, section 0's and
// the file's, after a test has changed bytes on purpose. It sets the record
// length to the data's length.
func recrc(data []byte) []byte {
	if len(data) < fileHeaderLen+headerLen {
		return data
	}
	putLE32(data[2:], uint32(len(data)))
	s0 := fileHeaderLen
	n0 := int(le32(data[s0+4:]))
	if n0 < headerLen || s0+n0 > len(data) {
		putLE16(data, crc16(data[2:]))
		return data
	}
	for k := s0 + headerLen; k+pointerLen <= s0+n0; k += pointerLen {
		length, index := int(le32(data[k+2:])), int(le32(data[k+6:]))
		if length >= headerLen && index >= 1 && index-1+length <= len(data) && index-1 != s0 {
			sec := data[index-1 : index-1+length]
			putLE16(sec, crc16(sec[2:]))
		}
	}
	putLE16(data[s0:], crc16(data[s0+2:s0+n0]))
	putLE16(data, crc16(data[2:]))
	return data
}

// sectionAt returns the file offset of section id's header in data.
func sectionAt(data []byte, id int) int {
	for k := fileHeaderLen + headerLen; k+pointerLen <= fileHeaderLen+int(le32(data[fileHeaderLen+4:])); k += pointerLen {
		if int(le16(data[k:])) == id && le32(data[k+2:]) > 0 {
			return int(le32(data[k+6:])) - 1
		}
	}
	return -1
}

// leadSection writes section 3 for leads all of n samples.
func leadSection(ids []int, n int, flags uint8) []byte {
	b := body{}
	b.u8(uint8(len(ids)))
	b.u8(flags)
	for _, id := range ids {
		b.u32(1)
		b.u32(uint32(n))
		b.u8(uint8(id))
	}
	return b
}

// dataSection writes section 5 or 6 from already coded lead data.
func dataSection(avm, interval int, diff, bimodal uint8, coded [][]byte) []byte {
	b := body{}
	b.u16(uint16(avm))
	b.u16(uint16(interval))
	b.u8(diff)
	b.u8(bimodal)
	for _, c := range coded {
		b.u16(uint16(len(c)))
	}
	for _, c := range coded {
		b = append(b, c...)
	}
	return b
}

// rawInt16 writes samples as int16, the coding without section 2.
func rawInt16(v []int32) []byte {
	b := body{}
	for _, x := range v {
		b.u16(uint16(int16(x)))
	}
	return b
}

// tableSection writes section 2 with the given tables.
func tableSection(tables ...[]code) []byte {
	b := body{}
	b.u16(uint16(len(tables)))
	for _, t := range tables {
		b.u16(uint16(len(t)))
		for _, c := range t {
			b.u8(uint8(c.prefix))
			b.u8(uint8(c.total))
			mode := uint8(1)
			if c.switchTable {
				mode = 0
			}
			b.u8(mode)
			b.u16(uint16(int16(c.value)))
			b.u32(reverse(c.bits, c.prefix))
		}
	}
	return b
}
