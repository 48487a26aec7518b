package interp

import (
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// marshal encodes a JSON value (the types encoding/json decodes into with
// UseNumber) compactly with sorted keys and without HTML escaping, with the
// engine's one JSON writer. It is the interpreter's hot path for history
// payloads and size checks.
func marshal(v any) ([]byte, error) { return jsonvalue.Marshal(v) }

// appendJSON appends v as marshal writes it.
func appendJSON(b []byte, v any) ([]byte, error) { return jsonvalue.Append(b, v) }

// decodeJSON decodes one JSON value with the engine's one JSON reader:
// objects as map[string]any, numbers as json.Number.
func decodeJSON(b []byte) (any, error) {
	v, err := jsonvalue.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	return v, nil
}

// text returns v rendered, a string the caller owns. The text of the last
// object the thread rendered is remembered (the output of one state is the
// input of the next, and a task's parameters are often its input), so that
// an object is rendered once however many events show it.
func (th *thread) text(v any) string {
	m, isMap := v.(map[string]any)
	if isMap && sameMap(m, th.memoVal) {
		if th.arena.holds(th.memoText) {
			// Remembered for the history in the arena: a copy for a caller
			// that may keep it, remembered instead.
			th.memoText = strings.Clone(th.memoText)
		}
		return th.memoText
	}
	var t string
	if isMap && sameMap(m, th.tmplVal) {
		t = string(th.tmplText)
	} else {
		t = th.render(v)
	}
	if isMap {
		th.remember(m, t)
	}
	return t
}

// historyText is text for a text that goes only into history events and
// the thread's own bookkeeping (a state's input and output texts): with an
// arena (the sink borrows the events), it is copied there rather than
// allocated.
func (th *thread) historyText(v any) string {
	if th.arena == nil {
		return th.text(v)
	}
	m, isMap := v.(map[string]any)
	if isMap && sameMap(m, th.memoVal) {
		return th.memoText
	}
	var t string
	if isMap && sameMap(m, th.tmplVal) {
		t = th.arena.text(th.tmplText)
	} else {
		b, err := appendJSON(th.buf[:0], v)
		if err != nil {
			t = "null"
		} else {
			th.buf = b
			t = th.arena.text(b)
		}
	}
	if isMap {
		th.remember(m, t)
	}
	return t
}

// keepText returns the text rendered into b (the thread's buffer, which
// the next rendering overwrites) as historyText does: in the arena if
// there is one, else an owned copy.
func (th *thread) keepText(b []byte) string {
	if th.arena == nil {
		return string(b)
	}
	return th.arena.text(b)
}

// remember records t as the text of m.
func (th *thread) remember(m map[string]any, t string) { th.memoVal, th.memoText = m, t }

// knownText returns v's text if the thread remembers it.
func (th *thread) knownText(v any) (string, bool) {
	if m, ok := v.(map[string]any); ok && sameMap(m, th.memoVal) {
		return th.memoText, true
	}
	return "", false
}

// render serialises v with the thread's scratch buffer.
func (th *thread) render(v any) string {
	b, err := appendJSON(th.buf[:0], v)
	if err != nil {
		return "null"
	}
	th.buf = b
	return string(b)
}

// render serialises a JSON value for the history, without HTML escaping,
// as AWS renders it.
func render(v any) string {
	b, err := marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
