package pattern

// kind is the JSON type of a leaf value in an event.
type kind uint8

const (
	kindString kind = iota
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

// leaf is one scalar value found in an event at a path the pattern names.
type leaf struct {
	kind kind
	// text is the decoded string, or the number exactly as written.
	text string
	// micro is the number in millionths when inRange (see comparable).
	micro   int64
	inRange bool
	// arrays locates the leaf inside the event's arrays, outermost first.
	arrays []arrayPos
}

// arrayPos says a leaf sits at element index of the array numbered id.
type arrayPos struct {
	id, index int32
}

// consistent reports whether two leaves could come from the same elements of
// every array they share: event-ruler only matches fields together when they
// sit in the same element of a common array.
func consistent(a, b *leaf) bool {
	n := min(len(a.arrays), len(b.arrays))
	for i := range n {
		if a.arrays[i].id != b.arrays[i].id {
			return true
		}
		if a.arrays[i].index != b.arrays[i].index {
			return false
		}
	}
	return true
}
