package jsonpath

import (
	"encoding/json"
	"math"
	"math/big"
	"sort"
	"strconv"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// typeName names the JSON type of v as AWS messages do.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, float32, int, int64, int32, uint64:
		return "number"
	}
	return "unknown"
}

// toFloat converts a JSON number to float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func isNumber(v any) bool {
	_, ok := toFloat(v)
	return ok
}

// toRat converts a JSON number to an exact rational.
func toRat(v any) (*big.Rat, bool) {
	switch n := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(n))
		return r, ok
	case int:
		return new(big.Rat).SetInt64(int64(n)), true
	case int64:
		return new(big.Rat).SetInt64(n), true
	case int32:
		return new(big.Rat).SetInt64(int64(n)), true
	case uint64:
		return new(big.Rat).SetUint64(n), true
	}
	f, ok := toFloat(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	// A Go float stands for its shortest decimal form, as in JSON text.
	return new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
}

// compareNumbers compares two JSON numbers by value.
func compareNumbers(a, b any) (int, bool) {
	if x, ok := a.(json.Number); ok {
		if y, ok := b.(json.Number); ok && x == y {
			return 0, true
		}
	}
	// Rounding to float64 is monotonic, so floats that differ order the
	// numbers; only equal floats need the exact comparison.
	fa, ok1 := toFloat(a)
	fb, ok2 := toFloat(b)
	if ok1 && ok2 && !math.IsNaN(fa) && !math.IsNaN(fb) && !math.IsInf(fa, 0) && !math.IsInf(fb, 0) {
		switch {
		case fa < fb:
			return -1, true
		case fa > fb:
			return 1, true
		}
	}
	ra, ok1 := toRat(a)
	rb, ok2 := toRat(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return ra.Cmp(rb), true
}

// equal is deep JSON equality with numbers compared by value.
func equal(a, b any) bool {
	if x, ok := a.(json.Number); ok {
		if y, ok := b.(json.Number); ok && x == y {
			return true // the same text, even one not compared by value (thousands of digits)
		}
	}
	if isNumber(a) && isNumber(b) {
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// appendJSON appends the compact JSON text of v as the engine writes it
// (keys sorted, no HTML escaping, numbers read from JSON verbatim); NaN and
// the infinities, which JSON cannot hold, are an error.
func appendJSON(b []byte, v any) ([]byte, error) { return jsonvalue.Append(b, v) }

// jsonText is the compact JSON text of v for a message or a comparison key;
// a value JSON cannot hold is shown as null. Functions whose result is the
// text use appendJSON and fail instead.
func jsonText(v any) string {
	b, err := jsonvalue.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// jsonInt is n as a JSON number.
func jsonInt(n int) json.Number { return json.Number(strconv.Itoa(n)) }
