package intellivue

import (
	"fmt"
)

// Session PDU types: the first byte of a frame's user data.
const (
	SPDUAssocRequest  byte   = 0x0D // AARQ
	SPDUAssocAccept   byte   = 0x0E // AARE
	SPDUAssocRefuse   byte   = 0x0C
	SPDUReleaseReq    byte   = 0x09
	SPDUReleaseResp   byte   = 0x0A
	SPDUAbort         byte   = 0x19
	SPDUData          byte   = 0xE1 // data: session 0xE100, presentation context 2
	dataPresentation2 uint16 = 0x0002
)

// Protocol, nomenclature, system and start-up values of the association's
// user information (MDSEUserInfoStd).
const (
	mddlVersion1     uint32 = 0x80000000
	nomenVersion     uint32 = 0x40000000
	systClient       uint32 = 0x80000000
	systServer       uint32 = 0x00800000
	coldStart        uint32 = 0x20000000
	pollProfileRev0  uint32 = 0x80000000
	pollProfileOpts  uint32 = 0x60000000 // dynamic create and delete of objects
	pollExtOpts      uint32 = 0x88000000 // 1 s numerics, real-time waves
	attrPollProfile  uint16 = 0x0001     // NOM_POLL_PROFILE_SUPPORT
	attrPollProfExt  uint16 = 0xF001     // NOM_ATTR_POLL_PROFILE_EXT
	defaultMTU       uint32 = 1000
	defaultMinPollPd uint32 = 8000 // 1 s in 1/8 ms
)

// The association's fixed parts, as in the Data Export guide's examples:
// session data, the ASN.1 presentation header around the user information
// (request and accept forms) and the trailer.
var (
	assocSessionData = []byte{0x05, 0x08, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x80, 0x00, 0x14, 0x02, 0x00, 0x02}
	aarqPresentation = []byte{
		0x31, 0x80, 0xA0, 0x80, 0x80, 0x01, 0x01, 0x00, 0x00, 0xA2, 0x80, 0xA0, 0x03, 0x00, 0x00, 0x01,
		0xA4, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x06, 0x04, 0x52, 0x01, 0x00, 0x01, 0x30, 0x80, 0x06,
		0x02, 0x51, 0x01, 0x00, 0x00, 0x00, 0x00, 0x30, 0x80, 0x02, 0x01, 0x02, 0x06, 0x0C, 0x2A, 0x86,
		0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x30, 0x80, 0x06, 0x0C, 0x2A, 0x86,
		0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xA0, 0x80, 0x60, 0x80, 0xA1, 0x80, 0x06, 0x0C, 0x2A,
		0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0xBE, 0x80, 0x28,
		0x80, 0x06, 0x0C, 0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02,
		0x01, 0x02, 0x81,
	}
	// The accept mirrors the request with the AARE tag (0x61) and a result.
	aarePresentation = []byte{
		0x31, 0x80, 0xA0, 0x80, 0x80, 0x01, 0x01, 0x00, 0x00, 0xA2, 0x80, 0xA0, 0x03, 0x00, 0x00, 0x01,
		0xA5, 0x80, 0x30, 0x80, 0x80, 0x01, 0x00, 0x81, 0x02, 0x51, 0x01, 0x00, 0x00, 0x30, 0x80, 0x80,
		0x01, 0x00, 0x81, 0x0C, 0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xA0, 0x80, 0x61, 0x80, 0xA1,
		0x80, 0x06, 0x0C, 0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00,
		0x00, 0xA2, 0x03, 0x02, 0x01, 0x00, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x00, 0xBE, 0x80, 0x28,
		0x80, 0x02, 0x01, 0x02, 0x81,
	}
	assocTrailer = make([]byte, 16)
	// Release request and response, and abort: an ASN.1 RLRQ (0x62), RLRE
	// (0x63) or ABRT (0x64) inside a presentation PDU.
	releaseReqBody  = []byte{0xC1, 0x16, 0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xA0, 0x80, 0x62, 0x80, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}
	releaseRespBody = []byte{0xC1, 0x16, 0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xA0, 0x80, 0x63, 0x80, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}
	abortBody       = []byte{0xC1, 0x16, 0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xA0, 0x80, 0x64, 0x80, 0x80, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}
	// refuseBody carries the session layer's refuse reason (0x32, 1 byte).
	refuseBody = []byte{0x32, 0x01, 0x00}
)

// li encodes a session length indicator: one byte, or FF and a u16.
func li(n int) []byte {
	if n < 0xFF {
		return []byte{byte(n)}
	}
	return []byte{0xFF, byte(n >> 8), byte(n)}
}

// spdu prefixes body with a session type and its length indicator.
func spdu(typ byte, body []byte) []byte {
	out := append([]byte{typ}, li(len(body))...)
	return append(out, body...)
}

// asnLen encodes an ASN.1 BER definite length.
func asnLen(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	return []byte{0x82, byte(n >> 8), byte(n)}
}

// UserInfo is the association's MDSEUserInfoStd with one poll profile.
type UserInfo struct {
	SystemType  uint32 // systClient or systServer
	MinPollPd   uint32 // 1/8 ms
	MaxMTURx    uint32
	MaxMTUTx    uint32
	ProfileOpts uint32
	ExtPollOpts uint32
}

func (u UserInfo) encode() []byte {
	var ext wr
	ext.u32(u.ExtPollOpts)
	ext.list(0, nil)
	var opt wr
	opt.u16(attrPollProfExt)
	opt.sized(ext.b)
	var prof wr
	prof.u32(pollProfileRev0)
	prof.u32(u.MinPollPd)
	prof.u32(u.MaxMTURx)
	prof.u32(u.MaxMTUTx)
	prof.u32(0xFFFFFFFF) // max_bw_tx
	prof.u32(u.ProfileOpts)
	prof.list(1, opt.b)
	var ava wr
	ava.u16(attrPollProfile)
	ava.sized(prof.b)
	var w wr
	w.u32(mddlVersion1)
	w.u32(nomenVersion)
	w.u32(0) // functional units
	w.u32(u.SystemType)
	w.u32(coldStart)
	w.list(0, nil) // option list
	w.list(1, ava.b)
	return w.b
}

// association builds an AARQ or AARE: session header and data, then the
// presentation PDU (C1) with the user information.
func association(typ byte, pres []byte, u UserInfo) []byte {
	ui := u.encode()
	p := append([]byte(nil), pres...)
	p = append(p, asnLen(len(ui))...)
	p = append(p, ui...)
	p = append(p, assocTrailer...)
	body := append([]byte(nil), assocSessionData...)
	body = append(body, spdu(0xC1, p)...)
	return spdu(typ, body)
}

// EncodeAARQ returns the host's association request (user data of a frame):
// a client asking for the poll profile with 1 s numerics and real-time
// waves, MTU 1000.
func EncodeAARQ() []byte {
	return association(SPDUAssocRequest, aarqPresentation, UserInfo{
		SystemType: systClient, MinPollPd: defaultMinPollPd, MaxMTURx: defaultMTU, MaxMTUTx: defaultMTU,
		ProfileOpts: pollProfileOpts, ExtPollOpts: pollExtOpts,
	})
}

// EncodeAARE returns the monitor's association accept.
func EncodeAARE() []byte {
	return association(SPDUAssocAccept, aarePresentation, UserInfo{
		SystemType: systServer, MinPollPd: defaultMinPollPd, MaxMTURx: defaultMTU, MaxMTUTx: defaultMTU,
		ProfileOpts: pollProfileOpts, ExtPollOpts: pollExtOpts,
	})
}

// EncodeRefuse returns the monitor's association refuse.
func EncodeRefuse() []byte { return spdu(SPDUAssocRefuse, refuseBody) }

// EncodeReleaseRequest returns a release request (RLRQ).
func EncodeReleaseRequest() []byte { return spdu(SPDUReleaseReq, releaseReqBody) }

// EncodeReleaseResponse returns a release response (RLRE).
func EncodeReleaseResponse() []byte { return spdu(SPDUReleaseResp, releaseRespBody) }

// EncodeAbort returns an association abort.
func EncodeAbort() []byte { return spdu(SPDUAbort, abortBody) }

// SessionType returns the session PDU type of a frame's user data and
// checks that its length indicator fits (data PDUs have none).
func SessionType(ud []byte) (byte, error) {
	if len(ud) == 0 {
		return 0, fmt.Errorf("empty session pdu: %w", ErrShort)
	}
	typ := ud[0]
	if typ == SPDUData {
		return typ, nil
	}
	if len(ud) < 2 {
		return 0, fmt.Errorf("session pdu %#02x without length: %w", typ, ErrShort)
	}
	n, hdr := int(ud[1]), 2
	if ud[1] == 0xFF {
		if len(ud) < 4 {
			return 0, fmt.Errorf("session pdu %#02x length: %w", typ, ErrShort)
		}
		n, hdr = int(ud[2])<<8|int(ud[3]), 4
	}
	if len(ud)-hdr < n {
		return 0, fmt.Errorf("session pdu %#02x says %d bytes, has %d: %w", typ, n, len(ud)-hdr, ErrShort)
	}
	switch typ {
	case SPDUAssocRequest, SPDUAssocAccept, SPDUAssocRefuse, SPDUReleaseReq, SPDUReleaseResp, SPDUAbort:
		return typ, nil
	}
	return typ, fmt.Errorf("unknown session pdu type %#02x", typ)
}
