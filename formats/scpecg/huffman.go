package scpecg

import "fmt"

// defaultTableID in section 2's table count means "the standard's default
// table", with no table data following.
const defaultTableID = 19999

// code is one Huffman code structure of section 2. Bits is the code as it
// appears in the data, first bit most significant (the file stores it
// bit-reversed, first bit least significant).
type code struct {
	prefix, total int   // bits in the prefix; in the prefix and the value after it
	switchTable   bool  // the code switches to table number value (1-based)
	value         int32 // the value represented when total == prefix
	bits          uint32
}

// defaultTable is the default Huffman table of SCP-ECG (EN 1064 annex,
// "default Huffman table"): 0 is coded "0", ±n (n = 1…8) as n ones, a zero
// and the sign bit (0 positive, 1 negative); larger values follow a prefix
// of nine ones and a zero (an 8-bit value) or ten ones (a 16-bit value),
// each value two's complement, most significant bit first.
var defaultTable = func() []code {
	t := []code{{prefix: 1, total: 1, value: 0, bits: 0}}
	for n := 1; n <= 8; n++ {
		ones := uint32(1)<<n - 1 // n ones
		for _, neg := range []bool{false, true} {
			c := code{prefix: n + 2, total: n + 2, value: int32(n), bits: ones << 2}
			if neg {
				c.value, c.bits = -c.value, c.bits|1
			}
			t = append(t, c)
		}
	}
	return append(t,
		code{prefix: 10, total: 18, bits: 0b1111111110},
		code{prefix: 10, total: 26, bits: 0b1111111111})
}()

// huffTree is a decoding tree over one table: node 0 is the root; for an
// inner node next[b] is the child for bit b, for a leaf leaf ≥ 0 indexes the
// table's codes.
type huffTree struct {
	codes []code
	nodes []huffNode
}

type huffNode struct {
	next [2]int32 // 0: none
	leaf int32    // -1: inner node
}

// buildTree checks that the table's codes are a prefix code and builds its
// tree. nTables bounds the targets of table switches.
func buildTree(codes []code, nTables int) (*huffTree, error) {
	t := &huffTree{codes: codes, nodes: []huffNode{{leaf: -1}}}
	for k, c := range codes {
		if c.prefix < 1 || c.prefix > 32 || c.total < c.prefix || c.total-c.prefix > 32 {
			return nil, fmt.Errorf("code %d: %d prefix bits of %d", k, c.prefix, c.total)
		}
		if c.switchTable && (c.value < 1 || int(c.value) > nTables) {
			return nil, fmt.Errorf("code %d switches to table %d of %d", k, c.value, nTables)
		}
		n := int32(0)
		for i := c.prefix - 1; i >= 0; i-- {
			if t.nodes[n].leaf >= 0 {
				return nil, fmt.Errorf("code %d begins with code %d", k, t.nodes[n].leaf)
			}
			b := c.bits >> i & 1
			if t.nodes[n].next[b] == 0 {
				t.nodes = append(t.nodes, huffNode{leaf: -1})
				t.nodes[n].next[b] = int32(len(t.nodes) - 1)
			}
			n = t.nodes[n].next[b]
		}
		if t.nodes[n].leaf >= 0 || t.nodes[n].next != [2]int32{} {
			return nil, fmt.Errorf("code %d is a prefix of another code", k)
		}
		t.nodes[n].leaf = int32(k)
	}
	return t, nil
}

// huffman is the set of tables a section's data is coded with; nil means
// the data are not Huffman coded (no section 2).
type huffman struct {
	tables []*huffTree
}

var defaultHuffman = func() *huffman {
	t, err := buildTree(defaultTable, 1)
	if err != nil {
		panic("scpecg: default Huffman table: " + err.Error())
	}
	return &huffman{tables: []*huffTree{t}}
}()

// readHuffman reads section 2: the number of tables u16 (19999: the default
// table), then per table the number of code structures u16 and per code
// structure prefix bits u8, total bits u8, table mode u8 (0: switch
// table), base value i16 and base code u32 (bit-reversed).
func readHuffman(s *section) (*huffman, error) {
	c := newCursor(s)
	n := int(c.u16("number of Huffman tables"))
	if c.err != nil {
		return nil, c.err
	}
	if n == defaultTableID {
		return defaultHuffman, nil
	}
	if n == 0 || n > len(s.body)/2 {
		return nil, formatErr(s.id, s.offset+headerLen, "%d Huffman tables in %d bytes", n, len(s.body))
	}
	tables := make([][]code, n)
	for i := range tables {
		m := int(c.u16("number of code structures"))
		if c.err == nil && (m == 0 || m*9 > c.left()) {
			return nil, formatErr(s.id, c.offset()-2, "table %d: %d code structures, %d bytes left", i+1, m, c.left())
		}
		for range m {
			p, tot, mode := int(c.u8("prefix bits")), int(c.u8("total bits")), c.u8("table mode")
			v, base := c.i16("base value"), c.u32("base code")
			tables[i] = append(tables[i], code{prefix: p, total: tot, switchTable: mode == 0, value: int32(v), bits: reverse(base, p)})
		}
		if c.err != nil {
			return nil, c.err
		}
	}
	h := &huffman{}
	for i, codes := range tables {
		t, err := buildTree(codes, n)
		if err != nil {
			return nil, formatErr(s.id, s.offset+headerLen, "Huffman table %d: %v", i+1, err)
		}
		h.tables = append(h.tables, t)
	}
	return h, nil
}

// reverse returns the low n bits of x in the opposite order.
func reverse(x uint32, n int) uint32 {
	var r uint32
	for range min(n, 32) {
		r = r<<1 | x&1
		x >>= 1
	}
	return r
}

// bitReader reads bits most significant first.
type bitReader struct {
	b   []byte
	pos int // bits read
}

func (r *bitReader) left() int { return len(r.b)*8 - r.pos }

func (r *bitReader) bit() uint32 {
	x := uint32(r.b[r.pos>>3]>>(7-r.pos&7)) & 1
	r.pos++
	return x
}

// decode reads up to n values; it stops early, without error, when the data
// end at a code boundary or inside a final code (padding bits). Switches
// persist until the next switch; every lead starts with table 1.
func (h *huffman) decode(b []byte, n int) ([]int32, error) {
	out := make([]int32, 0, min(n, len(b)*8))
	r := bitReader{b: b}
	t := h.tables[0]
	for len(out) < n && r.left() > 0 {
		node := int32(0)
		for t.nodes[node].leaf < 0 {
			if r.left() == 0 {
				return out, nil
			}
			next := t.nodes[node].next[r.bit()]
			if next == 0 {
				return nil, fmt.Errorf("value %d: bits at bit %d match no code", len(out), r.pos)
			}
			node = next
		}
		c := t.codes[t.nodes[node].leaf]
		if c.switchTable {
			t = h.tables[c.value-1]
			continue
		}
		v := c.value
		if extra := c.total - c.prefix; extra > 0 {
			if r.left() < extra {
				return out, nil
			}
			var x uint32
			for range extra {
				x = x<<1 | r.bit()
			}
			if extra < 32 && x&(1<<(extra-1)) != 0 {
				x |= ^uint32(0) << extra // sign-extend
			}
			v = int32(x)
		}
		out = append(out, v)
	}
	return out, nil
}
