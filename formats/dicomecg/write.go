package dicomecg

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// implementationUID identifies this writer in the file meta group (a UUID
// under the 2.25 root, made once for Telewave).
const implementationUID = "2.25.162953694121453084581045249825606524935"

// implementationName is the Implementation Version Name written.
const implementationName = "TELEWAVE_1"

// newUID makes a UID under the 2.25 root from a random UUID (PS3.5 B.2).
func newUID() (string, error) {
	u, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("new UID: %w", err)
	}
	return "2.25." + new(big.Int).SetBytes(u[:]).String(), nil
}

// writer encodes data sets. Encode uses explicit VR with defined lengths;
// the other forms exist so that tests can exercise the reader on them.
type writer struct {
	implicit  bool // implicit VR little endian
	undefined bool // sequences and items of undefined length
}

func (w writer) syntax() string {
	if w.implicit {
		return syntaxImplicitLE
	}
	return syntaxExplicitLE
}

// file writes preamble, "DICM", the file meta group and the data set.
func (w writer) file(sopClass, sopInstance string, ds *dataset) ([]byte, error) {
	meta := &dataset{elems: []element{
		{tag: tagMetaVersion, vr: "OB", value: []byte{0, 1}},
		uid(tagMediaSOPClass, sopClass),
		uid(tagMediaSOPInstance, sopInstance),
		uid(tagTransferSyntax, w.syntax()),
		uid(tagImplementationClass, implementationUID),
		text(tagImplementationName, "SH", implementationName),
	}}
	explicit := writer{}
	body, err := explicit.dataset(nil, meta)
	if err != nil {
		return nil, fmt.Errorf("file meta group: %w", err)
	}
	out := make([]byte, preambleLen, preambleLen+4+12+len(body)+1<<16)
	out = append(out, "DICM"...)
	out, err = explicit.element(out, ul(tagMetaGroupLength, uint32(len(body))))
	if err != nil {
		return nil, err
	}
	out = append(out, body...)
	return w.dataset(out, ds)
}

// dataset appends the elements of ds in ascending tag order.
func (w writer) dataset(out []byte, ds *dataset) ([]byte, error) {
	elems := slices.Clone(ds.elems)
	slices.SortStableFunc(elems, func(a, b element) int { return cmp.Compare(a.tag, b.tag) })
	var err error
	for _, e := range elems {
		if out, err = w.element(out, e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func putTag(out []byte, t tag) []byte {
	out = binary.LittleEndian.AppendUint16(out, t.group())
	return binary.LittleEndian.AppendUint16(out, uint16(t))
}

// element appends one element; values are already padded to even length.
func (w writer) element(out []byte, e element) ([]byte, error) {
	if len(e.value)%2 != 0 {
		return nil, fmt.Errorf("element %s: odd value length %d", e.tag, len(e.value))
	}
	var value []byte
	length := uint32(len(e.value))
	if e.vr == "SQ" {
		var err error
		if value, err = w.items(e); err != nil {
			return nil, err
		}
		length = uint32(len(value))
		if w.undefined {
			length = undefinedLength
		}
	} else {
		value = e.value
		if uint64(len(value)) >= undefinedLength {
			return nil, fmt.Errorf("element %s: %d bytes is too long", e.tag, len(value))
		}
	}
	out = putTag(out, e.tag)
	switch {
	case w.implicit && e.tag.group() != 0x0002:
		out = binary.LittleEndian.AppendUint32(out, length)
	case longVR(e.vr):
		out = append(out, e.vr...)
		out = append(out, 0, 0)
		out = binary.LittleEndian.AppendUint32(out, length)
	default:
		if length > 0xFFFF {
			return nil, fmt.Errorf("element %s: %d bytes is too long for VR %s", e.tag, length, e.vr)
		}
		out = append(out, e.vr...)
		out = binary.LittleEndian.AppendUint16(out, uint16(length))
	}
	return append(out, value...), nil
}

// items encodes the items of a sequence (and its delimiter when undefined).
func (w writer) items(e element) ([]byte, error) {
	var out []byte
	for i, it := range e.items {
		body, err := w.dataset(nil, it)
		if err != nil {
			return nil, fmt.Errorf("sequence %s item %d: %w", e.tag, i+1, err)
		}
		out = putTag(out, tagItem)
		if w.undefined {
			out = binary.LittleEndian.AppendUint32(out, undefinedLength)
			out = append(out, body...)
			out = putTag(out, tagItemDelim)
			out = binary.LittleEndian.AppendUint32(out, 0)
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
			out = append(out, body...)
		}
	}
	if w.undefined {
		out = putTag(out, tagSequenceDelim)
		out = binary.LittleEndian.AppendUint32(out, 0)
	}
	return out, nil
}

// maxChars is the longest value, in characters, of each text VR written.
var maxChars = map[string]int{"AE": 16, "CS": 16, "DA": 8, "DS": 16, "DT": 26, "IS": 12, "LO": 64,
	"PN": 64, "SH": 16, "ST": 1024, "TM": 14, "UI": 64}

// text makes a text element: control characters become spaces, a
// backslash (the value separator) becomes '/', the value is cut to the VR's
// length and padded with a space to an even length.
func text(t tag, vr, s string) element {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\\':
			return '/'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	if n := maxChars[vr]; n > 0 {
		if r := []rune(s); len(r) > n {
			s = string(r[:n])
		}
	}
	b := []byte(s)
	if len(b)%2 != 0 {
		b = append(b, ' ')
	}
	return element{tag: t, vr: vr, value: b}
}

// uid makes a UI element, padded with NUL.
func uid(t tag, s string) element {
	b := []byte(s)
	if len(b)%2 != 0 {
		b = append(b, 0)
	}
	return element{tag: t, vr: "UI", value: b}
}

func us(t tag, v ...uint16) element {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return element{tag: t, vr: "US", value: b}
}

func ul(t tag, v uint32) element {
	return element{tag: t, vr: "UL", value: binary.LittleEndian.AppendUint32(nil, v)}
}

func seq(t tag, items ...*dataset) element {
	return element{tag: t, vr: "SQ", items: items}
}

func item(elems ...element) *dataset { return &dataset{elems: elems} }

// codeItem is a code sequence item.
func codeItem(scheme, value, meaning string, extra ...element) *dataset {
	it := item(text(tagCodeValue, "SH", value), text(tagCodingScheme, "SH", scheme), text(tagCodeMeaning, "LO", meaning))
	it.elems = append(it.elems, extra...)
	return it
}
