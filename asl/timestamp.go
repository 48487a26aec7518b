package asl

import "time"

// ValidTimestamp reports whether s is a timestamp as Step Functions accepts it
// in Wait's Timestamp and the Timestamp comparison operators: RFC 3339 with
// an uppercase "T" between date and time and an uppercase "Z" or a numeric
// offset, such as "2026-11-25T21:29:29Z" or "2026-11-25T21:29:29.5+01:00".
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func ValidTimestamp(s string) bool {
	// 2006-01-02T15:04:05 is 19 bytes; then optional fraction, then zone.
	if len(s) < 20 {
		return false
	}
	for i := 0; i < 19; i++ {
		c := s[i]
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		isDigits(rest[1:3]) && isDigits(rest[4:6]):
	default:
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
