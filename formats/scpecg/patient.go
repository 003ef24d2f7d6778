package scpecg

import (
	"time"

	"telewave/formats/ecg12"
)

// Section 1 tags this package reads.
const (
	tagLastName   = 0
	tagFirstName  = 1
	tagPatientID  = 2
	tagBirthDate  = 5
	tagSex        = 8
	tagDevice     = 14
	tagDate       = 25
	tagTime       = 26
	tagTimeZone   = 34
	tagTerminator = 255
)

// manufacturers are the codes of tag 14's manufacturer byte.
var manufacturers = map[uint8]string{
	1: "Burdick", 2: "Cambridge Heart", 3: "Compumed", 4: "Datamed", 5: "Fukuda",
	6: "Hewlett-Packard", 7: "Marquette Electronics", 8: "Mortara Instruments",
	9: "Nihon Kohden", 10: "Okin", 11: "Quinton", 12: "Siemens", 13: "Spacelabs",
	14: "Telemed", 15: "Hellige", 16: "ESA-OTE", 17: "Schiller",
	18: "Picker-Schwarzer", 19: "Elettronic-Trentina", 20: "Zwönitz",
}

// demographics is what section 1 says.
type demographics struct {
	patient  ecg12.Patient
	device   ecg12.Device
	acquired time.Time
}

// readPatient reads the tagged fields of section 1: {tag u8, length u16,
// value}, ending at tag 255 or at the end of the section.
func readPatient(s *section) (demographics, error) {
	var d demographics
	c := newCursor(s)
	var date, clock []byte
	zone := time.UTC
	for c.left() > 0 {
		at := c.offset()
		tag := c.u8("tag")
		n := int(c.u16("tag length"))
		v := c.take(n, "tag value")
		if c.err != nil {
			return d, c.err
		}
		if tag == tagTerminator {
			break
		}
		switch tag {
		case tagLastName:
			d.patient.FamilyName = text(v)
		case tagFirstName:
			d.patient.GivenName = text(v)
		case tagPatientID:
			d.patient.ID = text(v)
		case tagBirthDate:
			if len(v) != 4 {
				return d, formatErr(s.id, at, "tag 5 (date of birth) has %d bytes, want 4", len(v))
			}
			d.patient.BirthDate, _ = date4(v)
		case tagSex:
			if len(v) != 1 {
				return d, formatErr(s.id, at, "tag 8 (sex) has %d bytes, want 1", len(v))
			}
			d.patient.Sex = map[byte]string{0: "U", 1: "M", 2: "F", 9: "U"}[v[0]]
		case tagDevice:
			if d.device.Manufacturer == "" && d.device.Model == "" {
				d.device = readDevice(v)
			}
		case tagDate:
			if len(v) != 4 {
				return d, formatErr(s.id, at, "tag 25 (acquisition date) has %d bytes, want 4", len(v))
			}
			date = v
		case tagTime:
			if len(v) != 3 {
				return d, formatErr(s.id, at, "tag 26 (acquisition time) has %d bytes, want 3", len(v))
			}
			clock = v
		case tagTimeZone:
			// offset i16 minutes from UTC (0x7FFF: not given), index u16, description
			if len(v) >= 2 && int16(le16(v)) != 0x7FFF {
				if m := int(int16(le16(v))); m >= -14*60 && m <= 14*60 {
					zone = time.FixedZone("", m*60)
				}
			}
		}
	}
	if date != nil {
		if t, ok := date4(date); ok {
			h, m, sec := 0, 0, 0
			if clock != nil && clock[0] < 24 && clock[1] < 60 && clock[2] < 60 {
				h, m, sec = int(clock[0]), int(clock[1]), int(clock[2])
			}
			d.acquired = time.Date(t.Year(), t.Month(), t.Day(), h, m, sec, 0, zone)
		}
	}
	return d, nil
}

// date4 reads year u16, month u8, day u8; a zero or impossible date is absent.
func date4(v []byte) (time.Time, bool) {
	y, m, d := int(le16(v)), int(v[2]), int(v[3])
	if y == 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// readDevice reads tag 14, the acquiring device: institution u16,
// department u16, device id u16, type u8, manufacturer code u8, model 6
// bytes, protocol revision, compatibility, language, capabilities, mains
// frequency (u8 each), 16 reserved bytes, then a length u8 and the
// analysing program's revision and four NUL-terminated strings: serial
// number, system software, SCP implementation software and the
// manufacturer's trade name. Older carts stop early; what is there is read.
func readDevice(v []byte) ecg12.Device {
	var d ecg12.Device
	if len(v) >= 8 {
		d.Manufacturer = manufacturers[v[7]]
	}
	if len(v) >= 14 {
		d.Model = text(v[8:14])
	}
	if len(v) <= 35 {
		return d
	}
	rest := v[36:]
	if n := int(v[35]); n <= len(rest) {
		rest = rest[n:] // the analysing program's revision
	} else {
		return d
	}
	var strs []string
	for len(rest) > 0 && len(strs) < 4 {
		i := 0
		for i < len(rest) && rest[i] != 0 {
			i++
		}
		strs = append(strs, text(rest[:i]))
		rest = rest[min(i+1, len(rest)):]
	}
	strs = append(strs, "", "", "", "")
	d.Serial, d.Software = strs[0], strs[1]
	if strs[3] != "" {
		d.Manufacturer = strs[3]
	}
	return d
}
