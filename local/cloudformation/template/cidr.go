package template

import (
	"math/big"
	"net/netip"
	"strconv"
)

// cidr implements Fn::Cidr: [ipBlock, count, cidrBits], count subnets with cidrBits host bits each, in
// order from the start of the block (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-cidr.html).
func (e *evaluator) cidr(arg any) (any, error) {
	shape := templateErrorf("Fn::Cidr requires a list argument with three elements: an IP block, a count and the CIDR bits")
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, shape
	}
	var args [3]string
	for i, x := range a {
		s, err := e.evalString(x, "Fn::Cidr")
		if err != nil {
			return nil, err
		}
		args[i] = s
	}
	prefix, err := netip.ParsePrefix(args[0])
	if err != nil {
		return nil, templateErrorf("Fn::Cidr: %s is not a CIDR block", args[0])
	}
	count, err1 := strconv.Atoi(args[1])
	bits, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || count < 1 || count > 256 {
		return nil, shape
	}
	prefix = prefix.Masked()
	total := prefix.Addr().BitLen()
	newLen := total - bits
	if bits < 1 || newLen < prefix.Bits() {
		return nil, templateErrorf("Fn::Cidr: %d bits do not fit in %s", bits, prefix)
	}
	if room := newLen - prefix.Bits(); room < 9 && count > 1<<room {
		return nil, templateErrorf("Fn::Cidr: %s has no room for %d subnets of /%d", prefix, count, newLen)
	}
	base := new(big.Int).SetBytes(prefix.Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	out := make([]any, 0, count)
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		buf := make([]byte, total/8)
		n.FillBytes(buf)
		addr, _ := netip.AddrFromSlice(buf)
		out = append(out, netip.PrefixFrom(addr, newLen).String())
	}
	return out, nil
}
