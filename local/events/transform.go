package events

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// The variables EventBridge defines for every InputTemplate
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-predefined).
const (
	varRuleARN       = "aws.events.rule-arn"
	varRuleName      = "aws.events.rule-name"
	varIngestionTime = "aws.events.event.ingestion-time"
	varEvent         = "aws.events.event"
	varEventJSON     = "aws.events.event.json"
)

// routed is an event on its way to targets: its JSON and, once a target
// needs it, its decoded form.
type routed struct {
	raw      []byte
	doc      map[string]any
	id       string
	ingested time.Time
}

// document decodes the event on first use (numbers kept as written). It is
// called with the service lock held.
func (ev *routed) document() map[string]any {
	if ev.doc == nil {
		dec := json.NewDecoder(bytes.NewReader(ev.raw))
		dec.UseNumber()
		if dec.Decode(&ev.doc) != nil || ev.doc == nil {
			ev.doc = map[string]any{}
		}
	}
	return ev.doc
}

// eventID returns the event's top-level "id" when it is a string ("" otherwise), as
// document()["id"].(string) does (the last of repeated keys counts), without decoding the rest of the
// event: a target that receives the whole event never needs its decoded form.
func eventID(raw []byte) string {
	var sc jsonvalue.Scanner
	sc.Reset(raw)
	if sc.Peek() != jsonvalue.Object || sc.BeginObject() != nil {
		return ""
	}
	id := ""
	var key []byte
	for first := true; ; first = false {
		more, err := sc.NextMember(first)
		if err != nil {
			return ""
		}
		if !more {
			break
		}
		text, _, err := sc.Key(key[:0])
		if err != nil {
			return ""
		}
		if string(text) != "id" {
			if sc.Skip() != nil {
				return ""
			}
			continue
		}
		if sc.Peek() != jsonvalue.String {
			id = ""
			if sc.Skip() != nil {
				return ""
			}
			continue
		}
		v, _, err := sc.String(nil)
		if err != nil {
			return ""
		}
		id = string(v)
	}
	return id // what follows the object is not read, as document's decoder does not read it
}

// targetInput computes what a target receives for an event: the whole event,
// the constant Input, the part selected by InputPath, or the InputTemplate
// filled in.
func targetInput(t *target, ruleARN, ruleName string, ev *routed) []byte {
	switch {
	case t.Input != nil:
		return []byte(*t.Input)
	case t.inputPath != nil:
		v, ok := t.inputPath.eval(any(ev.document()))
		if !ok {
			return []byte("null")
		}
		return marshal(v)
	case t.InputTransformer != nil:
		return fillTemplate(deref(t.InputTransformer.InputTemplate), t.paths, ruleARN, ruleName, ev)
	}
	return ev.raw
}

// fillTemplate replaces each <name> of a defined variable in the template.
// Inside a JSON string a value goes in unescaped (a string without its
// quotes); outside one it goes in as JSON, so a string gets quotes. A
// variable whose path is not in the event is not created: its placeholder is
// replaced by null outside a string and by nothing inside one. A template
// that is not JSON text (it does not start with '{', '[' or '"') takes every
// value as plain text.
func fillTemplate(tmpl string, paths map[string]*jsonPath, ruleARN, ruleName string, ev *routed) []byte {
	values := map[string]any{}
	for name, p := range paths {
		if v, ok := p.eval(any(ev.document())); ok {
			values[name] = v
		}
	}
	values[varRuleARN] = ruleARN
	values[varRuleName] = ruleName
	values[varIngestionTime] = ev.ingested.UTC().Format("2006-01-02T15:04:05Z")
	withoutDetail := maps.Clone(ev.document())
	delete(withoutDetail, "detail")
	values[varEvent] = json.RawMessage(marshal(withoutDetail))
	values[varEventJSON] = json.RawMessage(ev.raw)
	defined := func(name string) bool {
		if _, ok := paths[name]; ok {
			return true
		}
		return slices.Contains([]string{varRuleARN, varRuleName, varIngestionTime, varEvent, varEventJSON}, name)
	}
	trimmed := strings.TrimSpace(tmpl)
	jsonTemplate := trimmed != "" && strings.ContainsRune("{[\"", rune(trimmed[0]))
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '<' {
			if end := strings.IndexByte(tmpl[i+1:], '>'); end >= 0 {
				name := tmpl[i+1 : i+1+end]
				if defined(name) {
					v, ok := values[name]
					out.Write(render(v, ok, jsonTemplate && !inString))
					i += end + 1
					escaped = false
					continue
				}
			}
		}
		out.WriteByte(c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		}
	}
	return out.Bytes()
}

// render writes one variable's value into a template.
func render(v any, ok, asJSON bool) []byte {
	if !ok {
		if asJSON {
			return []byte("null")
		}
		return nil
	}
	if s, isStr := v.(string); isStr && !asJSON {
		return []byte(s)
	}
	return marshal(v)
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
