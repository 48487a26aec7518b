package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// maxDepth bounds nesting of decoded requests.
const maxDepth = 32

// fromCBOR converts a CBOR value to the generic JSON shapes (map[string]any, []any,
// float64, string, bool, nil), with epoch timestamps (tag 1) as epoch seconds as in the AWS
// JSON protocol, so that one set of request types (with awsTime fields) serves both.
func fromCBOR(v cbor.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d", maxDepth)
	}
	switch v := v.(type) {
	case cbor.Map:
		out := make(map[string]any, len(v))
		for k, e := range v {
			g, err := fromCBOR(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = g
		}
		return out, nil
	case cbor.List:
		out := make([]any, len(v))
		for i, e := range v {
			g, err := fromCBOR(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = g
		}
		return out, nil
	case cbor.String:
		return string(v), nil
	case cbor.Uint:
		return float64(v), nil
	case cbor.NegInt:
		return -1 - float64(v), nil
	case cbor.Float32:
		return finite(float64(v))
	case cbor.Float64:
		return finite(float64(v))
	case cbor.Bool:
		return bool(v), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case *cbor.Tag:
		t, err := cbor.AsTime(v)
		if err != nil {
			return nil, fmt.Errorf("tag %d: %w", v.ID, err)
		}
		return float64(t.UnixMilli()) / 1e3, nil
	case cbor.Slice:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("unsupported CBOR value %T", v)
}

// finite keeps NaN and infinities out of JSON: they become math.MaxFloat64, which is
// outside CloudWatch's value range and so rejected by validation with the API's error.
func finite(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return math.MaxFloat64, nil
	}
	return f, nil
}

// decodeRequest binds a CBOR request body to in.
func decodeRequest(body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return fmt.Errorf("decode cbor: %w", err)
	}
	g, err := fromCBOR(v, 0)
	if err != nil {
		return err
	}
	if _, ok := g.(map[string]any); !ok {
		return fmt.Errorf("request body is not a map")
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("re-encode request: %w", err)
	}
	if err := json.Unmarshal(raw, in); err != nil {
		return fmt.Errorf("bind request: %w", err)
	}
	return nil
}

// Response builders.

func cstr(s string) cbor.Value { return cbor.String(s) }

func cfloat(f float64) cbor.Value { return cbor.Float64(f) }

func ctime(t time.Time) cbor.Value {
	return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1e3)}
}

// toJSON converts a response built as CBOR to the AWS JSON 1.0 shape: timestamps become
// epoch seconds.
func toJSON(v cbor.Value) any {
	switch v := v.(type) {
	case cbor.Map:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = toJSON(e)
		}
		return out
	case cbor.List:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toJSON(e)
		}
		return out
	case cbor.String:
		return string(v)
	case cbor.Float64:
		return float64(v)
	case *cbor.Tag:
		if f, ok := v.Value.(cbor.Float64); ok {
			return float64(f)
		}
	}
	return nil
}

// awsTime is a request timestamp: epoch seconds (a number), or an RFC 3339 string.
type awsTime struct{ time.Time }

func (t *awsTime) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		sec, frac := math.Modf(f)
		t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	t.Time = parsed.UTC()
	return nil
}

// timeOf returns the time of an optional awsTime.
func timeOf(t *awsTime) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}
