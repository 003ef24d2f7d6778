package fhir

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// ContentTypeWAV is the media type stethoscope clips are uploaded with.
const ContentTypeWAV = "audio/wav"

// Media is the R4 Media subset for a stethoscope clip (R4 only: R5 folds
// it into DocumentReference).
type Media struct {
	ResourceType    string           `json:"resourceType"`
	ID              string           `json:"id,omitempty"`
	Identifier      []Identifier     `json:"identifier,omitempty"`
	Status          string           `json:"status"`
	Type            *CodeableConcept `json:"type,omitempty"`
	Subject         *Reference       `json:"subject,omitempty"`
	CreatedDateTime string           `json:"createdDateTime,omitempty"`
	Operator        *Reference       `json:"operator,omitempty"`
	BodySite        *CodeableConcept `json:"bodySite,omitempty"`
	Device          *Reference       `json:"device,omitempty"`
	Duration        *float64         `json:"duration,omitempty"` // seconds
	Content         Attachment       `json:"content"`
}

// DocumentReference is the R4 DocumentReference subset a clip falls back to
// on an EHR whose CapabilityStatement has no Media.
type DocumentReference struct {
	ResourceType string              `json:"resourceType"`
	ID           string              `json:"id,omitempty"`
	Identifier   []Identifier        `json:"identifier,omitempty"`
	Status       string              `json:"status"`
	Type         *CodeableConcept    `json:"type,omitempty"`
	Subject      *Reference          `json:"subject,omitempty"`
	Date         string              `json:"date,omitempty"`
	Author       []Reference         `json:"author,omitempty"`
	Description  string              `json:"description,omitempty"`
	Content      []DocumentContent   `json:"content"`
	Context      *DocumentRefContext `json:"context,omitempty"`
}

// DocumentContent is one attachment of a DocumentReference.
type DocumentContent struct {
	Attachment Attachment `json:"attachment"`
}

// DocumentRefContext says when the documented event happened.
type DocumentRefContext struct {
	Period *Period `json:"period,omitempty"`
}

// auscultationSites maps the clip sites to SNOMED CT body structures. These
// are the valve (and lung) structures themselves, codes we are sure of:
// 34202007 aortic valve, 39057004 pulmonary valve, 46030003 tricuspid
// valve, 91134007 mitral valve, 39607008 lung. SNOMED's concepts for the
// chest-wall auscultation areas were not checked, so the text says "area".
var auscultationSites = map[string]CodeableConcept{
	storage.SiteAortic:    {Coding: []Coding{{System: SystemSNOMED, Code: "34202007", Display: "Aortic valve structure"}}, Text: "aortic area"},
	storage.SitePulmonic:  {Coding: []Coding{{System: SystemSNOMED, Code: "39057004", Display: "Pulmonary valve structure"}}, Text: "pulmonic area"},
	storage.SiteTricuspid: {Coding: []Coding{{System: SystemSNOMED, Code: "46030003", Display: "Tricuspid valve structure"}}, Text: "tricuspid area"},
	storage.SiteMitral:    {Coding: []Coding{{System: SystemSNOMED, Code: "91134007", Display: "Mitral valve structure"}}, Text: "mitral area"},
	storage.SiteLungs:     {Coding: []Coding{{System: SystemSNOMED, Code: "39607008", Display: "Lung structure"}}, Text: "lungs"},
}

var mediaTypeAudio = CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/media-type", Code: "audio", Display: "Audio"}}}

// ErrNotWAV is returned for a clip whose bytes are not a RIFF WAVE file.
var ErrNotWAV = errors.New("clip is not a RIFF WAVE file")

// ClipBundle builds the transaction for a stethoscope clip whose audio is
// already stored as Binary/<binaryID>: the Device upsert and a Media (or a
// DocumentReference when asMedia is false), a conditional create on the
// clip's own identifier.
func ClipBundle(c storage.Clip, binaryID, patientRef string, sys Systems, asMedia bool) (Bundle, error) {
	sys = sys.withDefaults()
	switch {
	case c.ID == "":
		return Bundle{}, errors.New("clip bundle: clip has no id")
	case !strings.HasPrefix(patientRef, "Patient/") || len(patientRef) == len("Patient/"):
		return Bundle{}, fmt.Errorf("clip bundle %s: patient reference %q is not Patient/<id>", c.ID, patientRef)
	case binaryID == "" || strings.ContainsAny(binaryID, "/?#"):
		return Bundle{}, fmt.Errorf("clip bundle %s: binary id %q", c.ID, binaryID)
	case c.Time.IsZero():
		return Bundle{}, fmt.Errorf("clip bundle %s: no recording time", c.ID)
	}
	seconds, err := wavSeconds(c.WAV)
	if err != nil {
		return Bundle{}, fmt.Errorf("clip bundle %s: %w", c.ID, err)
	}
	sum := sha1.Sum(c.WAV)
	site, hasSite := auscultationSites[c.Site]
	what := "Stethoscope recording"
	if hasSite {
		what += ", " + site.Text
	}
	att := Attachment{
		ContentType: ContentTypeWAV,
		URL:         "Binary/" + binaryID,
		Size:        len(c.WAV),
		Hash:        base64.StdEncoding.EncodeToString(sum[:]),
		Title:       what,
		Creation:    formatTime(c.Time),
	}
	b := Bundle{ResourceType: "Bundle", Type: "transaction"}
	dev, devRef, err := deviceEntries(c.Device, []devices.Signal{{ID: "audio", Kind: devices.KindAudio, Label: "Heart sounds"}}, sys)
	if err != nil {
		return Bundle{}, fmt.Errorf("clip bundle %s: %w", c.ID, err)
	}
	b.Entry = append(b.Entry, dev[0]) // a microphone channel has no MDC code worth a DeviceMetric
	id := ObservationIdentifier(c.ID, "clip")
	ident := []Identifier{{System: sys.Media, Value: id}}
	var entry BundleEntry
	if asMedia {
		m := Media{ResourceType: "Media", Identifier: ident, Status: "completed", Type: &mediaTypeAudio,
			Subject: &Reference{Reference: patientRef}, CreatedDateTime: formatTime(c.Time),
			Device: &Reference{Reference: devRef}, Duration: &seconds, Content: att}
		if hasSite {
			m.BodySite = &site
		}
		if c.Author != "" {
			m.Operator = &Reference{Display: c.Author}
		}
		entry, err = createEntry("Media", fullURL(c.ID, "clip"), m, sys.Media, id)
	} else {
		d := DocumentReference{ResourceType: "DocumentReference", Identifier: ident, Status: "current",
			Type: &CodeableConcept{Text: "Stethoscope recording"}, Subject: &Reference{Reference: patientRef},
			Date: formatTime(c.Time), Description: what, Content: []DocumentContent{{Attachment: att}},
			Context: &DocumentRefContext{Period: &Period{Start: formatTime(c.Time),
				End: formatTime(c.Time.Add(time.Duration(seconds * float64(time.Second))))}}}
		if c.Author != "" {
			d.Author = []Reference{{Display: c.Author}}
		}
		entry, err = createEntry("DocumentReference", fullURL(c.ID, "clip"), d, sys.Media, id)
	}
	if err != nil {
		return Bundle{}, fmt.Errorf("clip bundle %s: %w", c.ID, err)
	}
	b.Entry = append(b.Entry, entry)
	return b, nil
}

// wavSeconds reads a WAVE file's duration from its fmt and data chunks
// without decoding the samples.
func wavSeconds(b []byte) (float64, error) {
	if len(b) < 12 || !bytes.Equal(b[:4], []byte("RIFF")) || !bytes.Equal(b[8:12], []byte("WAVE")) {
		return 0, ErrNotWAV
	}
	var byteRate, dataSize uint32
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), binary.LittleEndian.Uint32(b[p+4:p+8])
		body := p + 8
		switch id {
		case "fmt ":
			if size < 16 || body+16 > len(b) {
				return 0, fmt.Errorf("%w: short fmt chunk", ErrNotWAV)
			}
			byteRate = binary.LittleEndian.Uint32(b[body+8 : body+12])
		case "data":
			dataSize = size
			if rest := uint32(len(b) - body); dataSize > rest {
				dataSize = rest // a recorder killed before fixing the header
			}
		}
		if dataSize > 0 && byteRate > 0 {
			return float64(dataSize) / float64(byteRate), nil
		}
		next := uint64(body) + uint64(size) + uint64(size&1) // chunks are padded to even sizes
		if next > uint64(len(b)) {
			break
		}
		p = int(next)
	}
	return 0, fmt.Errorf("%w: no fmt or data chunk", ErrNotWAV)
}
