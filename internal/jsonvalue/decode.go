package jsonvalue

import "encoding/json"

// Decode reads one JSON document (white space around it allowed, nothing
// else) as encoding/json would decode it into an any with UseNumber:
// map[string]any, []any, string, json.Number, bool or nil. A repeated key
// keeps its last value. Malformed input yields a *SyntaxError.
func Decode(data []byte) (any, error) {
	var d Decoder
	return d.Decode(data)
}

// Segment is one step of the path from a document's root to a value: an
// object member's Key, or when Index >= 0 an array element.
type Segment struct {
	Key   string
	Index int
}

// Decoder is Decode with a hook for repeated keys, which encoding/json
// silently collapses into the last one. The zero Decoder is Decode.
type Decoder struct {
	// Duplicate, when set, is called for every key that repeats one before
	// it in the same object, with the path of that object. The path is
	// reused: copy it to keep it.
	Duplicate func(path []Segment, key string)

	s    Scanner
	path []Segment
	buf  []byte
}

// Decode reads one document; see the package function Decode.
func (d *Decoder) Decode(data []byte) (any, error) {
	d.s.Reset(data)
	d.path = d.path[:0]
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if err := d.s.End(); err != nil {
		return nil, err
	}
	return v, nil
}

func (d *Decoder) value() (any, error) {
	s := &d.s
	switch s.Peek() {
	case Object:
		return d.object()
	case Array:
		return d.array()
	case String:
		t, view, err := s.String(d.buf[:0])
		if err != nil {
			return nil, err
		}
		d.keep(t, view)
		return string(t), nil
	case Number:
		t, err := s.Number()
		if err != nil {
			return nil, err
		}
		return json.Number(t), nil
	case True, False, Null:
		k, err := s.Literal()
		switch {
		case err != nil:
			return nil, err
		case k == Null:
			return nil, nil
		}
		return k == True, nil
	}
	return nil, s.ErrValue()
}

func (d *Decoder) object() (any, error) {
	s := &d.s
	if err := s.BeginObject(); err != nil {
		return nil, err
	}
	m := map[string]any{}
	for first := true; ; first = false {
		more, err := s.NextMember(first)
		if err != nil {
			return nil, err
		}
		if !more {
			return m, nil
		}
		t, view, err := s.Key(d.buf[:0])
		if err != nil {
			return nil, err
		}
		d.keep(t, view)
		key := string(t)
		if d.Duplicate != nil {
			d.path = append(d.path, Segment{Key: key, Index: -1})
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		if d.Duplicate != nil {
			d.path = d.path[:len(d.path)-1]
			if _, dup := m[key]; dup {
				d.Duplicate(d.path, key)
			}
		}
		m[key] = v
	}
}

func (d *Decoder) array() (any, error) {
	s := &d.s
	if err := s.BeginArray(); err != nil {
		return nil, err
	}
	a := []any{}
	for first := true; ; first = false {
		more, err := s.NextElement(first)
		if err != nil {
			return nil, err
		}
		if !more {
			return a, nil
		}
		if d.Duplicate != nil {
			d.path = append(d.path, Segment{Index: len(a)})
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		if d.Duplicate != nil {
			d.path = d.path[:len(d.path)-1]
		}
		a = append(a, v)
	}
}

// keep holds on to a grown scratch buffer for the next escaped string.
func (d *Decoder) keep(t []byte, view bool) {
	if !view {
		d.buf = t[:0]
	}
}
