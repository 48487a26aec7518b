package jsonata

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
)

// undefinedType is the type of Undefined.
type undefinedType struct{}

// Undefined is what Eval returns when the expression selects nothing (a
// missing field, an empty sequence). It is distinct from a JSON null,
// which is Go's nil. Test for it with IsUndefined or v == Undefined.
var Undefined any = undefinedType{}

// IsUndefined reports whether v is Undefined.
func IsUndefined(v any) bool {
	_, ok := v.(undefinedType)
	return ok
}

// Object is a JSON object that keeps its keys in the order of a
// JavaScript object, as jsonata-js's results have them: keys that are
// array indexes ("0", "7", "42") first in ascending numeric order, then
// the other keys in insertion order. Eval produces *Object for every
// object it constructs, and accepts *Object and map[string]any as input
// (a map's keys are taken in sorted order). The zero value is an empty
// object ready to use.
type Object struct {
	keys  []string
	vals  []any
	nIdx  int            // how many keys, at the front, are array indexes
	index map[string]int // built once the object has more than indexFrom keys
}

// arrayIndex reports whether k is a canonical array index (0 to 2^32-2)
// and its value.
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n < 1<<32-1
}

const indexFrom = 12

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Len returns the number of keys.
func (o *Object) Len() int { return len(o.keys) }

// Keys returns the keys in order. The slice must not be modified.
func (o *Object) Keys() []string { return o.keys }

// Get returns the value of key and whether it is present.
func (o *Object) Get(key string) (any, bool) {
	if o.index != nil {
		i, ok := o.index[key]
		if !ok {
			return nil, false
		}
		return o.vals[i], true
	}
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// Set sets key to v, appending the key if it is new and keeping its place
// otherwise.
func (o *Object) Set(key string, v any) {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			o.vals[i] = v
			return
		}
	} else {
		for i, k := range o.keys {
			if k == key {
				o.vals[i] = v
				return
			}
		}
	}
	if n, ok := arrayIndex(key); ok {
		// among the leading index keys, in numeric order
		at := sort.Search(o.nIdx, func(i int) bool {
			m, _ := arrayIndex(o.keys[i])
			return m > n
		})
		o.keys = slices.Insert(o.keys, at, key)
		o.vals = slices.Insert(o.vals, at, v)
		o.nIdx++
		if o.index != nil {
			for j := at; j < len(o.keys); j++ {
				o.index[o.keys[j]] = j
			}
		} else if len(o.keys) > indexFrom {
			o.buildIndex()
		}
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[key] = len(o.keys) - 1
	} else if len(o.keys) > indexFrom {
		o.index = make(map[string]int, len(o.keys)*2)
		for i, k := range o.keys {
			o.index[k] = i
		}
	}
}

func (o *Object) buildIndex() {
	o.index = make(map[string]int, len(o.keys)*2)
	for i, k := range o.keys {
		o.index[k] = i
	}
}

// Delete removes key if present.
func (o *Object) Delete(key string) {
	i := -1
	if o.index != nil {
		if j, ok := o.index[key]; ok {
			i = j
		}
	} else {
		i = slices.Index(o.keys, key)
	}
	if i < 0 {
		return
	}
	if i < o.nIdx {
		o.nIdx--
	}
	o.keys = slices.Delete(o.keys, i, i+1)
	o.vals = slices.Delete(o.vals, i, i+1)
	if o.index != nil {
		delete(o.index, key)
		for j := i; j < len(o.keys); j++ {
			o.index[o.keys[j]] = j
		}
	}
}

// Value returns the value at position i (0 <= i < Len()).
func (o *Object) Value(i int) any { return o.vals[i] }

// MarshalJSON encodes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSONp(&b, o, false, "", false); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalJSON decodes a JSON object keeping its key order.
func (o *Object) UnmarshalJSON(data []byte) error {
	v, err := DecodeJSON(data)
	if err != nil {
		return err
	}
	obj, ok := v.(*Object)
	if !ok {
		return &json.UnmarshalTypeError{Value: "non-object", Type: nil}
	}
	*o = *obj
	return nil
}

// clone returns a shallow copy.
func (o *Object) clone() *Object {
	c := &Object{keys: slices.Clone(o.keys), vals: slices.Clone(o.vals), nIdx: o.nIdx}
	if o.index != nil {
		c.index = make(map[string]int, len(o.index))
		for k, v := range o.index {
			c.index[k] = v
		}
	}
	return c
}

// DecodeJSON decodes one JSON document into the values Eval takes: nil,
// bool, float64, string, []any and *Object (keys in document order).
// Repeated keys keep the last value in the first key's place.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	// Only the end of the input may follow the value: another value or an
	// invalid byte is an error (found by FuzzDecodeJSON).
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = &json.SyntaxError{Offset: dec.InputOffset()}
		}
		return nil, err
	}
	return v, nil
}

const maxDecodeDepth = 10000

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDecodeDepth {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return f, nil
	default:
		return t, nil
	}
}
