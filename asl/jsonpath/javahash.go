package jsonpath

import (
	"encoding/json"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// AWS's States.ArrayUnique returns its items in the iteration order of a
// Java HashSet built from the array, not in first-seen order: recorded
// executions return [false, true] for [true, false, true, false],
// [[2,1],[1,2]] for [[1,2],[1,2],[2,1]] and [null, 1] for
// [null, null, 1, null]. Every recorded order matches a
// java.util.HashSet holding the plain Java values Jackson decodes JSON to
// (Integer, Long, Double, String, Boolean, List, Map, null), sized from
// the array as new HashSet<>(list) does. javaOrder reproduces that order.

// javaOrder stably sorts items by their HashSet bucket, for a set built
// from n values.
func javaOrder(items []any, n int) {
	capacity := 16
	if want := int(float32(n)/0.75) + 1; want > capacity {
		capacity = 1 << bits.Len(uint(want-1))
	}
	mask := uint32(capacity - 1)
	buckets := make([]uint32, len(items))
	for i, v := range items {
		h := uint32(javaHash(v))
		buckets[i] = (h ^ h>>16) & mask
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return buckets[idx[a]] < buckets[idx[b]] })
	sorted := make([]any, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}

// javaHash is Object.hashCode of the Java value Jackson decodes v to.
func javaHash(v any) int32 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1231
		}
		return 1237
	case string:
		return javaStringHash(x)
	case json.Number:
		return javaNumberHash(string(x))
	case []any:
		h := int32(1)
		for _, e := range x {
			h = 31*h + javaHash(e)
		}
		return h
	case map[string]any:
		var h int32
		for k, e := range x {
			h += javaStringHash(k) ^ javaHash(e)
		}
		return h
	}
	if f, ok := toFloat(v); ok {
		return javaNumberHash(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return 0
}

func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			h = 31*h + r1
			h = 31*h + r2
			continue
		}
		h = 31*h + r
	}
	return h
}

// javaNumberHash hashes a JSON number as Jackson types it: Integer when it
// fits 32 bits, Long when it fits 64, otherwise (and for any fraction or
// exponent) Double.
func javaNumberHash(text string) int32 {
	if !strings.ContainsAny(text, ".eE") {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return int32(n)
			}
			return int32(n ^ int64(uint64(n)>>32))
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0
	}
	b := math.Float64bits(f)
	return int32(b ^ b>>32)
}
