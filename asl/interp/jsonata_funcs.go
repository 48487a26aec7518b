package interp

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/sluicehq/sluice/asl/jsonata"
	"github.com/sluicehq/sluice/internal/jsonvalue"

	"github.com/sluicehq/sluice/internal/uuid"
)

// The functions Step Functions adds to JSONata, and the one it takes away
// ($eval: use $parse).
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html#jsonata-functions-provided-by-sfn

// maxJSONataRange bounds the array $range makes, as the intrinsic
// States.ArrayRange is bounded (1,000 items).
const maxJSONataRange = 1000

// jsonataFuncs returns the evaluation options that add Step Functions'
// functions. Randomness comes from the machine's random source, so tests
// that fix it get repeatable $random() and $uuid() values.
func (m *Machine) jsonataFuncs() []jsonata.EvalOption {
	m.jfuncsOnce.Do(func() {
		random := m.cfg.random
		m.jfuncs = []jsonata.EvalOption{
			jsonata.WithFunction("partition", "<an:a>", fnJPartition),
			jsonata.WithFunction("range", "<nnn:a>", fnJRange),
			jsonata.WithFunction("hash", "<xs:s>", fnJHash),
			jsonata.WithFunction("random", "<n?:n>", func(_ context.Context, args []any) (any, error) {
				return jRandom(random, args)
			}),
			jsonata.WithFunction("uuid", "<:s>", func(context.Context, []any) (any, error) {
				return jUUID(random), nil
			}),
			jsonata.WithFunction("parse", "<s:x>", fnJParse),
			jsonata.WithFunction("eval", "", func(context.Context, []any) (any, error) {
				return nil, &jsonata.Error{Code: "T1006", Token: "eval",
					Message: "The function $eval is not supported by Step Functions: use $parse"}
			}),
		}
	})
	return m.jfuncs
}

func jArgError(fn, msg string) error {
	return &jsonata.Error{Code: "D3001", Token: fn, FunctionName: fn, Message: "$" + fn + ": " + msg}
}

// $partition(array, size): the array cut into chunks of size items, the
// last one shorter (States.ArrayPartition).
func fnJPartition(_ context.Context, args []any) (any, error) {
	a, _ := args[0].([]any)
	size, _ := args[1].(float64)
	n := int(math.Trunc(size))
	if size < 1 || math.IsInf(size, 0) || math.IsNaN(size) {
		return nil, jArgError("partition", "the chunk size must be a positive integer")
	}
	out := make([]any, 0, (len(a)+n-1)/n)
	for i := 0; i < len(a); i += n {
		end := min(i+n, len(a))
		out = append(out, append([]any(nil), a[i:end]...))
	}
	return out, nil
}

// $range(start, end, step): start, start+step, ... up to and including
// end (States.ArrayRange).
func fnJRange(_ context.Context, args []any) (any, error) {
	var v [3]int64
	for i := range v {
		f, _ := args[i].(float64)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxInt32 {
			return nil, jArgError("range", "the arguments must be integers")
		}
		v[i] = int64(math.Trunc(f))
	}
	start, end, step := v[0], v[1], v[2]
	if step == 0 {
		return nil, jArgError("range", "the step must not be zero")
	}
	var n int64
	if (step > 0 && end >= start) || (step < 0 && end <= start) {
		n = (end-start)/step + 1
	}
	if n > maxJSONataRange {
		return nil, jArgError("range", "the range has more than 1000 items")
	}
	out := make([]any, n)
	for i := range out {
		out[i] = float64(start + int64(i)*step)
	}
	return out, nil
}

// $hash(value, algorithm): the hex digest of a string (other values
// through their JSON text) with MD5, SHA-1, SHA-256, SHA-384 or SHA-512
// (States.Hash).
func fnJHash(_ context.Context, args []any) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		b, err := jsonvalue.Marshal(fromJSONata(args[0]))
		if err != nil || args[0] == nil {
			return nil, jArgError("hash", "the value to hash must be a string")
		}
		data = string(b)
	}
	var h hash.Hash
	switch alg, _ := args[1].(string); alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, jArgError("hash", "the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// $random([seed]): a number in [0, 1); with a seed, the same number for the
// same seed.
func jRandom(random func() float64, args []any) (any, error) {
	if len(args) == 0 || jsonata.IsUndefined(args[0]) {
		return random(), nil
	}
	seed, _ := args[0].(float64)
	if math.IsNaN(seed) || math.IsInf(seed, 0) {
		return nil, jArgError("random", "the seed must be a number")
	}
	r := rand.New(rand.NewPCG(math.Float64bits(seed), 0x5eed))
	return r.Float64(), nil
}

// $uuid(): a version 4 UUID.
func jUUID(random func() float64) string {
	var u [16]byte
	for i := 0; i < 16; i += 4 {
		binary.BigEndian.PutUint32(u[i:], uint32(random()*(1<<32)))
	}
	return uuid.From(u)
}

// $parse(text): the JSON value a string holds.
func fnJParse(_ context.Context, args []any) (any, error) {
	s, _ := args[0].(string)
	if strings.TrimSpace(s) == "" {
		return nil, jArgError("parse", "the string holds no JSON value")
	}
	v, err := jsonata.DecodeJSON([]byte(s))
	if err != nil {
		return nil, jArgError("parse", "the string is not valid JSON: "+err.Error())
	}
	return v, nil
}
