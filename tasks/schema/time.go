package schema

import (
	"errors"
	"time"
)

var (
	errDate      = errors.New("want YYYY-MM-DD")
	errTimestamp = errors.New("want RFC 3339, e.g. 2024-03-01T09:30:00Z")
	errZone      = errors.New("bad time zone offset")
	errRange     = errors.New("a field is out of range")
)

// digitsAt parses s[i:i+n] as decimal digits, or returns -1.
func digitsAt(s string, i, n int) int {
	if i+n > len(s) {
		return -1
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// civil parses the YYYY-MM-DD at the start of s.
func civil(s string) (y, m, d int, err error) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, errDate
	}
	y, m, d = digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2)
	if y < 0 || m < 0 || d < 0 {
		return 0, 0, 0, errDate
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return 0, 0, 0, errRange
	}
	return y, m, d, nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func parseDate(s string) (Value, error) {
	if len(s) != 10 {
		return Value{}, errDate
	}
	y, m, d, err := civil(s)
	if err != nil {
		return Value{}, err
	}
	days := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return Value{Kind: KindDate, Str: s, Int: days}, nil
}

// parseTimestamp accepts YYYY-MM-DD, then T, t or a space, then hh:mm[:ss[(.|,)fraction]], then Z, z,
// ±hh:mm, ±hhmm, ±hh or nothing (UTC).
func parseTimestamp(s string) (Value, error) {
	y, mo, d, err := civil(s)
	if err != nil {
		if err == errDate {
			return Value{}, errTimestamp
		}
		return Value{}, err
	}
	if len(s) < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' {
		return Value{}, errTimestamp
	}
	h, mi := digitsAt(s, 11, 2), digitsAt(s, 14, 2)
	if h < 0 || mi < 0 {
		return Value{}, errTimestamp
	}
	i, sec, nano := 16, 0, 0
	if i < len(s) && s[i] == ':' {
		if sec = digitsAt(s, i+1, 2); sec < 0 {
			return Value{}, errTimestamp
		}
		i += 3
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			n := countDigits(s[i:])
			if n == 0 || n > 9 {
				return Value{}, errors.New("want 1 to 9 digits of fraction")
			}
			nano = digitsAt(s, i, n)
			for range 9 - n {
				nano *= 10
			}
			i += n
		}
	}
	if h > 23 || mi > 59 || sec > 59 {
		return Value{}, errRange
	}
	offset, err := zone(s[i:])
	if err != nil {
		return Value{}, err
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nano, time.UTC).Add(-time.Duration(offset) * time.Second)
	if t.Year() < 0 || t.Year() > 9999 {
		return Value{}, errRange
	}
	return Value{Kind: KindTimestamp, Str: t.Format(time.RFC3339Nano), Int: t.Unix(), Nano: int32(t.Nanosecond())}, nil
}

// zone parses a zone designator and returns its offset east of UTC in seconds.
func zone(z string) (int, error) {
	switch {
	case z == "" || z == "Z" || z == "z":
		return 0, nil
	case z[0] != '+' && z[0] != '-':
		return 0, errTimestamp
	}
	var h, m int
	switch len(z) {
	case 3: // ±hh
		h, m = digitsAt(z, 1, 2), 0
	case 5: // ±hhmm
		h, m = digitsAt(z, 1, 2), digitsAt(z, 3, 2)
	case 6: // ±hh:mm
		if z[3] != ':' {
			return 0, errZone
		}
		h, m = digitsAt(z, 1, 2), digitsAt(z, 4, 2)
	default:
		return 0, errZone
	}
	if h < 0 || m < 0 || h > 23 || m > 59 {
		return 0, errZone
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, nil
}
