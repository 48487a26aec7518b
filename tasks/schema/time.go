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

// digits2 is digitsAt(s, i, 2), small enough to be inlined.
func digits2(s string, i int) int {
	if i < 0 || i+2 > len(s) {
		return -1
	}
	a, b := s[i]-'0', s[i+1]-'0'
	if a > 9 || b > 9 {
		return -1
	}
	return int(a)*10 + int(b)
}

// civil parses the YYYY-MM-DD at the start of s.
func civil(s string) (y, m, d int, err error) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, errDate
	}
	hi, lo := digits2(s, 0), digits2(s, 2)
	y, m, d = hi*100+lo, digits2(s, 5), digits2(s, 8)
	if hi < 0 || lo < 0 {
		y = -1
	}
	if y < 0 || m < 0 || d < 0 {
		return 0, 0, 0, errDate
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return 0, 0, 0, errRange
	}
	return y, m, d, nil
}

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(m time.Month, y int) int {
	if m == time.February && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return monthDays[m]
}

// daysFromCivil returns the number of days from 1970-01-01 to the proleptic Gregorian date y-m-d
// (the algorithm of Howard Hinnant's "chrono-compatible low-level date algorithms").
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// The timestamps a value may normalise to: years 0000 to 9999 in UTC.
var (
	minUnix = daysFromCivil(0, 1, 1) * 86400
	maxUnix = daysFromCivil(10000, 1, 1)*86400 - 1
)

func parseDate(s string) (Value, error) {
	if len(s) != 10 {
		return Value{}, errDate
	}
	y, m, d, err := civil(s)
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: KindDate, Str: s, Int: daysFromCivil(y, m, d)}, nil
}

// parseTimestamp accepts what scanTimestamp accepts, within years 0000 to 9999 in UTC. The normalised
// text is made only when normalise is set (it is the costly part, and checking needs only the instant).
func parseTimestamp(s string, normalise bool) (Value, error) {
	var t civilTime
	if err := scanTimestamp(s, &t); err != nil {
		return Value{}, err
	}
	unix := daysFromCivil(t.y, t.mo, t.d)*86400 + int64(t.h*3600+t.mi*60+t.sec-t.offset)
	if unix < minUnix || unix > maxUnix {
		return Value{}, errRange
	}
	v := Value{Kind: KindTimestamp, Int: unix, Nano: int32(t.nano)}
	if normalise {
		var buf [len("0000-01-01T00:00:00.000000000Z")]byte
		v.Str = string(appendTimestamp(buf[:0], unix, int32(t.nano)))
	}
	return v, nil
}

// civilTime is a timestamp as written: its fields and its zone's offset east of UTC in seconds.
type civilTime struct {
	y, mo, d, h, mi, sec, nano, offset int
}

// scanTimestamp accepts YYYY-MM-DD, then T, t or a space, then hh:mm[:ss[(.|,)fraction]], then Z, z,
// ±hh:mm, ±hhmm, ±hh or nothing (UTC), each field in its range. Only years 0000 and 9999 can still put
// the instant out of range (a zone moves it by less than a day).
func scanTimestamp(s string, t *civilTime) error {
	var err error
	t.y, t.mo, t.d, err = civil(s)
	if err != nil {
		if err == errDate {
			return errTimestamp
		}
		return err
	}
	return scanClock(s, t)
}

// scanClock is scanTimestamp after the date (which it does not look at): it sets t's clock and offset
// from what follows the first ten bytes of s.
func scanClock(s string, t *civilTime) error {
	var err error
	if len(s) < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' {
		return errTimestamp
	}
	t.h, t.mi = digits2(s, 11), digits2(s, 14)
	if t.h < 0 || t.mi < 0 {
		return errTimestamp
	}
	i := 16
	if i < len(s) && s[i] == ':' {
		if t.sec = digits2(s, i+1); t.sec < 0 {
			return errTimestamp
		}
		i += 3
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			n := countDigits(s[i:])
			if n == 0 || n > 9 {
				return errors.New("want 1 to 9 digits of fraction")
			}
			t.nano = digitsAt(s, i, n)
			for range 9 - n {
				t.nano *= 10
			}
			i += n
		}
	}
	if t.h > 23 || t.mi > 59 || t.sec > 59 {
		return errRange
	}
	t.offset, err = zone(s[i:])
	return err
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
		h, m = digits2(z, 1), 0
	case 5: // ±hhmm
		h, m = digits2(z, 1), digits2(z, 3)
	case 6: // ±hh:mm
		if z[3] != ':' {
			return 0, errZone
		}
		h, m = digits2(z, 1), digits2(z, 4)
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

// civilFromDays returns the proleptic Gregorian date that is days after 1970-01-01 (the inverse of
// daysFromCivil, from the same paper).
func civilFromDays(days int64) (y, m, d int) {
	z := days + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := int(z - era*146097)
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + int(era)*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendTimestamp appends the instant unix seconds and nano nanoseconds in UTC as
// time.Time.Format(time.RFC3339Nano) writes it (fraction without trailing zeros, none when zero, then
// Z), for the instants of years 0000 to 9999 (minUnix to maxUnix), without the cost of the general
// formatter.
func appendTimestamp(dst []byte, unix int64, nano int32) []byte {
	days, secs := unix/86400, unix%86400
	if secs < 0 {
		days, secs = days-1, secs+86400
	}
	y, m, d := civilFromDays(days)
	two := func(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }
	dst = two(dst, y/100)
	dst = two(dst, y%100)
	dst = append(dst, '-')
	dst = two(dst, m)
	dst = append(dst, '-')
	dst = two(dst, d)
	dst = append(dst, 'T')
	return appendClock(dst, int(secs), nano)
}

// appendClock appends the time of day secs seconds (0 to 86399) and nano nanoseconds after midnight
// UTC as appendTimestamp writes it after the date and its T: hh:mm:ss, the fraction without trailing
// zeros (none when zero), then Z.
func appendClock(dst []byte, s int, nano int32) []byte {
	two := func(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }
	dst = two(dst, s/3600)
	dst = append(dst, ':')
	dst = two(dst, s/60%60)
	dst = append(dst, ':')
	dst = two(dst, s%60)
	if nano > 0 {
		var frac [10]byte
		frac[0] = '.'
		n := int(nano)
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + n%10)
			n /= 10
		}
		end := 10
		for frac[end-1] == '0' {
			end--
		}
		dst = append(dst, frac[:end]...)
	}
	return append(dst, 'Z')
}
