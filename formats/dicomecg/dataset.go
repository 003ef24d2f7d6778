package dicomecg

// element is one data element as read: its value bytes (a slice of the
// file) or, for a sequence, its items.
type element struct {
	tag    tag
	vr     string
	value  []byte
	items  []*dataset
	offset int // of the element's header in the file
}

// dataset is a list of elements in file order: the whole object, or one
// sequence item.
type dataset struct {
	elems  []element
	offset int
}

// find returns the first element with the tag, or nil.
func (d *dataset) find(t tag) *element {
	if d == nil {
		return nil
	}
	for i := range d.elems {
		if d.elems[i].tag == t {
			return &d.elems[i]
		}
	}
	return nil
}

// items returns the items of the sequence t, or nil.
func (d *dataset) items(t tag) []*dataset {
	if e := d.find(t); e != nil {
		return e.items
	}
	return nil
}

// first returns the first item of the sequence t, or nil.
func (d *dataset) first(t tag) *dataset {
	if it := d.items(t); len(it) > 0 {
		return it[0]
	}
	return nil
}
