package pattern

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// ipRange is an inclusive range of addresses of one family, as event-ruler
// builds it for "cidr" and for exact values that are IP addresses.
type ipRange struct {
	lo, hi []byte
}

func (r ipRange) contains(s string) bool {
	ip, ok := parseIP(s)
	if !ok {
		return false
	}
	b := ip.AsSlice()
	return len(b) == len(r.lo) && bytes.Compare(b, r.lo) >= 0 && bytes.Compare(b, r.hi) <= 0
}

// looksLikeIP mirrors event-ruler's test before it treats a string as an
// address: four dot-separated digit runs, or hex digits and colons with at
// least one colon.
func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if strings.IndexByte(s, ':') >= 0 {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c == ':' || '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	parts := 0
	for p := range strings.SplitSeq(s, ".") {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
		parts++
	}
	return parts == 4
}

// parseIP parses s when it looks like an IPv4 or IPv6 literal.
func parseIP(s string) (netip.Addr, bool) {
	if !looksLikeIP(s) {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip, true
}

// exactIP returns the one-address range for an exact pattern value that is an
// IP address.
func exactIP(s string) (ipRange, bool) {
	ip, ok := parseIP(s)
	if !ok {
		return ipRange{}, false
	}
	b := ip.AsSlice()
	return ipRange{lo: b, hi: b}, true
}

// parseCIDR validates a "cidr" operand with event-ruler's rules and reasons.
// Like event-ruler, the range runs from the address as written (host bits are
// not cleared) to that address with every host bit set.
func parseCIDR(s string) (ipRange, error) {
	parts := strings.Split(s, "/")
	for len(parts) > 0 && parts[len(parts)-1] == "" { // like Java's String.split
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return ipRange{}, invalid("Malformed CIDR, one '/' required")
	}
	bits, err := strconv.Atoi(parts[1])
	if err != nil {
		return ipRange{}, invalid("Malformed CIDR, mask bits must be an integer")
	}
	if bits < 0 {
		return ipRange{}, invalid("Malformed CIDR, mask bits must not be negative")
	}
	if !looksLikeIP(parts[0]) {
		return ipRange{}, invalid("Nonstandard IP address: " + parts[0])
	}
	ip, err := netip.ParseAddr(parts[0])
	if err != nil || ip.Zone() != "" {
		return ipRange{}, invalid("Invalid IP address: " + parts[0])
	}
	lo := ip.AsSlice()
	if len(lo) == 4 && bits > 31 {
		return ipRange{}, invalid("IPv4 mask bits must be < 32")
	}
	if len(lo) == 16 && bits > 127 {
		return ipRange{}, invalid("IPv6 mask bits must be < 128")
	}
	hi := make([]byte, len(lo))
	host := len(lo)*8 - bits
	for i := len(lo) - 1; i >= 0; i-- {
		switch {
		case host >= 8:
			hi[i] = 0xff
		case host <= 0:
			hi[i] = lo[i]
		default:
			hi[i] = lo[i] | byte(1<<host-1)
		}
		host -= 8
	}
	return ipRange{lo: lo, hi: hi}, nil
}
