package schema

import (
	"fmt"
	"strings"
)

// parseDecimal parses [sign] (digits [. digits] | . digits) [(e|E) [sign] digits] exactly and returns its
// canonical text: no exponent, no leading zeros before the point (one "0" for a value below 1), no sign
// on zero, and, with a scale, exactly scale digits after the point (trailing zeros added; a value that
// needs more is refused, never rounded). Without a scale, trailing zeros after the point are dropped
// ("1.50" is "1.5", "2.0" is "2"). precision (0: maxDecimalDigits) bounds the significant digits: those
// before the point without leading zeros plus those written after it.
func parseDecimal(s string, precision int, scale *int) (string, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	i += countDigits(s[i:])
	intPart := s[intStart:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		i += countDigits(s[i:])
		fracPart = s[start:i]
	}
	if intPart == "" && fracPart == "" {
		return "", fmt.Errorf("want a decimal number")
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		n := countDigits(s[i:])
		if n == 0 {
			return "", fmt.Errorf("want digits after the exponent")
		}
		digits := strings.TrimLeft(s[i:i+n], "0")
		if len(digits) > 5 {
			return "", fmt.Errorf("the exponent is out of range")
		}
		for _, d := range digits {
			exp = exp*10 + int(d-'0')
		}
		if expNeg {
			exp = -exp
		}
		i += n
	}
	if i != len(s) {
		return "", fmt.Errorf("want a decimal number")
	}
	// digits × 10^(point - len(digits)), with leading and trailing zeros of the digit string removed.
	digits := intPart + fracPart
	point := len(intPart) + exp
	trimmed := strings.TrimLeft(digits, "0")
	point -= len(digits) - len(trimmed)
	digits = strings.TrimRight(trimmed, "0")
	if digits == "" {
		neg, point = false, 0
	}
	intDigits := max(point, 0)
	fracDigits := max(len(digits)-point, 0)
	if scale != nil && fracDigits > *scale {
		return "", fmt.Errorf("more than %d digits after the decimal point", *scale)
	}
	if scale != nil {
		fracDigits = *scale
	}
	limit := precision
	if limit == 0 {
		limit = maxDecimalDigits
	}
	if intDigits+fracDigits > limit {
		if scale != nil && precision > 0 {
			return "", fmt.Errorf("more than %d digits before the decimal point (precision %d, scale %d)", precision-*scale, precision, *scale)
		}
		return "", fmt.Errorf("more than %d significant digits", limit)
	}
	var b strings.Builder
	b.Grow(intDigits + fracDigits + 3)
	if neg {
		b.WriteByte('-')
	}
	if intDigits == 0 {
		b.WriteByte('0')
	} else {
		b.WriteString(digits[:min(point, len(digits))])
		for range point - len(digits) {
			b.WriteByte('0')
		}
	}
	if fracDigits > 0 {
		b.WriteByte('.')
		written := 0
		for range -point { // zeros between the point and the first digit
			if written == fracDigits {
				break
			}
			b.WriteByte('0')
			written++
		}
		if point < len(digits) {
			rest := digits[max(point, 0):]
			b.WriteString(rest)
			written += len(rest)
		}
		for ; written < fracDigits; written++ {
			b.WriteByte('0')
		}
	}
	return b.String(), nil
}

// compareDecimal orders two canonical decimal texts by value.
func compareDecimal(a, b string) int {
	aNeg, bNeg := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	switch {
	case aNeg && !bNeg:
		return -1
	case !aNeg && bNeg:
		return 1
	case aNeg:
		return compareMagnitude(b[1:], a[1:])
	}
	return compareMagnitude(a, b)
}

func compareMagnitude(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if ai == "0" {
		ai = ""
	}
	if bi == "0" {
		bi = ""
	}
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	af, bf = strings.TrimRight(af, "0"), strings.TrimRight(bf, "0")
	return strings.Compare(af, bf) // digit strings of a fraction compare like numbers once zeros are trimmed
}
