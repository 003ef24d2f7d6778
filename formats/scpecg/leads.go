package scpecg

import "fmt"

// leadNames are the lead identifiers of section 3 (SCP-ECG lead table).
// Names with a leading "d" are the standard's "derived" leads; "f" marks
// the Frank leads.
var leadNames = []string{
	"unspecified", "I", "II", "V1", "V2", "V3", "V4", "V5", "V6", "V7",
	"V2R", "V3R", "V4R", "V5R", "V6R", "V7R", "X", "Y", "Z", "CC5",
	"CM5", "LA", "RA", "LL", "fI", "fE", "fC", "fA", "fM", "fF",
	"fH", "dI", "dII", "dV1", "dV2", "dV3", "dV4", "dV5", "dV6", "dV7",
	"dV2R", "dV3R", "dV4R", "dV5R", "dV6R", "dV7R", "dX", "dY", "dZ", "dCC5",
	"dCM5", "dLA", "dRA", "dLL", "dfI", "dfE", "dfC", "dfA", "dfM", "dfF",
	"dfH", "III", "aVR", "aVL", "aVF", "-aVR", "V8", "V9", "V8R", "V9R",
	"D", "A", "J", "Defib", "Extern", "A1", "A2", "A3", "A4", "dV8",
	"dV9", "dV8R", "dV9R", "dD", "dA", "dJ", "Chest", "V", "VR", "VL",
	"VF", "MCL", "MCL1", "MCL2", "MCL3", "MCL4", "MCL5", "MCL6", "CC", "CC1",
	"CC2", "CC3", "CC4", "CC6", "CC7", "CM", "CM1", "CM2", "CM3", "CM4",
	"CM6", "dIII", "daVR", "daVL", "daVF", "d-aVR", "dChest", "dV", "dVR", "dVL",
	"dVF", "CM7", "CH5", "CS5", "CB5", "CR5", "ML", "AB1", "AB2", "AB3",
	"AB4", "ES", "AS", "AI", "S", "dDefib", "dExtern", "dA1", "dA2", "dA3",
	"dA4", "dMCL1", "dMCL2", "dMCL3", "dMCL4", "dMCL5", "dMCL6", "RL", "CV5RL", "CV6LL",
	"CV6LU", "V10", "dMCL", "dCC", "dCC1", "dCC2", "dCC3", "dCC4", "dCC6", "dCC7",
	"dCM", "dCM1", "dCM2", "dCM3", "dCM4", "dCM6", "dCM7", "dCH5", "dCS5", "dCB5",
	"dCR5", "dML", "dAB1", "dAB2", "dAB3", "dAB4", "dES", "dAS", "dAI", "dS",
	"dRL", "dCV5RL", "dCV6LL", "dCV6LU", "dV10",
}

// LeadName is the label of an SCP-ECG lead identifier: 1 → "I", 61 → "III";
// identifiers outside the standard's table read "lead 200".
func LeadName(id int) string {
	if id >= 0 && id < len(leadNames) {
		return leadNames[id]
	}
	return fmt.Sprintf("lead %d", id)
}

// leadID is the identifier of a label, 0 when the table has none.
func leadID(label string) int {
	for id, s := range leadNames {
		if s == label && id > 0 {
			return id
		}
	}
	return 0
}

// leadDef is one lead of section 3: its identifier and its first and last
// sample numbers (1-based, inclusive) in the rhythm data.
type leadDef struct {
	id         int
	start, end int
}

// leadTable is section 3.
type leadTable struct {
	leads        []leadDef
	refBeatSub   bool // bit 0: the reference beat was subtracted before coding
	simultaneous bool // bit 2: all leads recorded at once
}

// maxSamples bounds any one lead, whatever the file claims.
const maxSamples = 64 << 20

// readLeads reads section 3: number of leads u8, flags u8, then per lead
// start u32, end u32 and identifier u8.
func readLeads(s *section) (leadTable, error) {
	var t leadTable
	c := newCursor(s)
	n := int(c.u8("number of leads"))
	flags := c.u8("flags")
	t.refBeatSub, t.simultaneous = flags&1 != 0, flags&4 != 0
	if c.err == nil && n == 0 {
		return t, formatErr(s.id, s.offset+headerLen, "no leads")
	}
	seen := map[int]bool{}
	for range n {
		at := c.offset()
		start, end, id := c.u32("lead start"), c.u32("lead end"), int(c.u8("lead id"))
		if c.err != nil {
			return t, c.err
		}
		if start < 1 || end < start || end > maxSamples {
			return t, formatErr(s.id, at, "lead %s: samples %d to %d", LeadName(id), start, end)
		}
		if seen[id] {
			return t, formatErr(s.id, at, "lead %s defined twice", LeadName(id))
		}
		seen[id] = true
		t.leads = append(t.leads, leadDef{id: id, start: int(start), end: int(end)})
	}
	return t, nil
}
