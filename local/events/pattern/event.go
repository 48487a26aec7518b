package pattern

import (
	"encoding/json"
	"fmt"
	"unsafe"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// scanner reads an event once, validating all of it as JSON and collecting
// the leaf values at the paths the pattern names; subtrees the pattern does
// not name are validated but not decoded.
type scanner struct {
	p      *Pattern
	js     jsonvalue.Scanner
	depth  int // of walk
	path   []byte
	leaves [][]leaf
	stack  []arrayPos
	arena  []arrayPos
	nextID int32
}

func (s *scanner) reset(p *Pattern, data []byte) {
	s.p, s.depth, s.nextID = p, 0, 0
	s.js.Reset(data)
	s.path, s.stack, s.arena = s.path[:0], s.stack[:0], s.arena[:0]
	if cap(s.leaves) < len(p.paths) {
		s.leaves = make([][]leaf, len(p.paths))
	}
	s.leaves = s.leaves[:len(p.paths)]
	for i := range s.leaves {
		s.leaves[i] = s.leaves[i][:0]
	}
}

// scan reads the whole event, which must be a JSON object.
func (s *scanner) scan() error {
	if s.js.Peek() != jsonvalue.Object {
		return ErrInvalidEvent
	}
	err := s.object()
	if err == nil {
		err = s.js.End()
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	return nil
}

// object reads an object whose members' paths the pattern may name (s.path
// holds the object's own path).
func (s *scanner) object() error {
	if err := s.js.BeginObject(); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := s.js.NextMember(first)
		if err != nil || !more {
			return err
		}
		base := len(s.path)
		if base > 0 {
			s.path = append(s.path, '.')
		}
		key, view, err := s.js.Key(s.path)
		if err != nil {
			return err
		}
		if view {
			s.path = append(s.path, key...)
		} else {
			s.path = key
		}
		st, has := s.p.steps[string(s.path)]
		if err := s.value(st, has); err != nil {
			return err
		}
		s.path = s.path[:base]
	}
}

// value reads any value; has says whether the current path is named, st what
// the pattern wants there.
func (s *scanner) value(st step, has bool) error {
	want := has && st.leaf >= 0
	switch k := s.js.Peek(); {
	case k == jsonvalue.Object && has && st.inner:
		return s.object()
	case k == jsonvalue.Array && has:
		return s.array(st)
	case !want:
		return s.js.Skip()
	case k == jsonvalue.String:
		b, view, err := s.js.String(nil)
		if err != nil {
			return err
		}
		var text string
		if view { // the event's own bytes, valid for the whole match
			text = unsafe.String(unsafe.SliceData(b), len(b))
		} else {
			text = string(b)
		}
		s.add(st.leaf, leaf{kind: kindString, text: text})
		return nil
	case k == jsonvalue.Number:
		b, err := s.js.Number()
		if err != nil {
			return err
		}
		text := unsafe.String(unsafe.SliceData(b), len(b))
		m, ok := comparable(text)
		s.add(st.leaf, leaf{kind: kindNumber, text: text, micro: m, inRange: ok})
		return nil
	case k == jsonvalue.True || k == jsonvalue.False || k == jsonvalue.Null:
		if _, err := s.js.Literal(); err != nil {
			return err
		}
		s.add(st.leaf, leaf{kind: literalKind[k]})
		return nil
	}
	return s.js.Skip() // an object the pattern does not look into, or an error
}

// literalKind maps the scanner's literals to leaf kinds.
var literalKind = [...]kind{jsonvalue.True: kindTrue, jsonvalue.False: kindFalse, jsonvalue.Null: kindNull}

func (s *scanner) add(path int, l leaf) {
	if len(s.stack) > 0 {
		start := len(s.arena)
		s.arena = append(s.arena, s.stack...)
		l.arrays = s.arena[start:len(s.arena):len(s.arena)]
	}
	s.leaves[path] = append(s.leaves[path], l)
}

// array reads an array at a named path; its elements share the array's
// path.
func (s *scanner) array(st step) error {
	if err := s.js.BeginArray(); err != nil {
		return err
	}
	id := s.nextID
	s.nextID++
	for i := int32(0); ; i++ {
		more, err := s.js.NextElement(i == 0)
		if err != nil || !more {
			return err
		}
		s.stack = append(s.stack, arrayPos{id: id, index: i})
		if err := s.value(st, true); err != nil {
			return err
		}
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// walk collects leaves from an already decoded event (maps, slices, strings,
// float64 or json.Number, bools and nil, as encoding/json produces).
func (s *scanner) walk(v any, st step, has bool) error {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > jsonvalue.MaxDepth {
		return ErrInvalidEvent
	}
	want := has && st.leaf >= 0
	switch x := v.(type) {
	case map[string]any:
		if !has || !st.inner {
			return nil
		}
		for k, child := range x {
			base := len(s.path)
			if base > 0 {
				s.path = append(s.path, '.')
			}
			s.path = append(s.path, k...)
			cst, chas := s.p.steps[string(s.path)]
			err := s.walk(child, cst, chas)
			s.path = s.path[:base]
			if err != nil {
				return err
			}
		}
	case []any:
		if !has {
			return nil
		}
		id := s.nextID
		s.nextID++
		for i, child := range x {
			s.stack = append(s.stack, arrayPos{id: id, index: int32(i)})
			err := s.walk(child, st, has)
			s.stack = s.stack[:len(s.stack)-1]
			if err != nil {
				return err
			}
		}
	case string:
		if want {
			s.add(st.leaf, leaf{kind: kindString, text: x})
		}
	case json.Number:
		if want {
			m, ok := comparable(string(x))
			s.add(st.leaf, leaf{kind: kindNumber, text: string(x), micro: m, inRange: ok})
		}
	case float64:
		if want {
			b, err := jsonvalue.AppendFloat(nil, x, 64)
			if err != nil { // NaN or an infinity: not JSON
				return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
			}
			t := string(b)
			m, ok := comparable(t)
			s.add(st.leaf, leaf{kind: kindNumber, text: t, micro: m, inRange: ok})
		}
	case bool:
		if want {
			k := kindFalse
			if x {
				k = kindTrue
			}
			s.add(st.leaf, leaf{kind: k})
		}
	case nil:
		if want {
			s.add(st.leaf, leaf{kind: kindNull})
		}
	default:
		return fmt.Errorf("%w: unsupported type %T", ErrInvalidEvent, v)
	}
	return nil
}
