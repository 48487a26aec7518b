package template

import "strings"

// subPart is one piece of an Fn::Sub string: literal text, or a variable ${Name} / ${Resource.Attribute}.
type subPart struct {
	text     string
	variable bool
}

// parseSub splits an Fn::Sub string into literal text and variables. ${!Literal} is the literal text
// "${Literal}"; a "${" with no closing "}" is literal text
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html).
func parseSub(s string) []subPart {
	var parts []subPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		rest := s[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			lit.WriteString(s[i:])
			break
		}
		name := rest[:j]
		if strings.HasPrefix(name, "!") {
			lit.WriteString("${" + name[1:] + "}")
		} else {
			if lit.Len() > 0 {
				parts = append(parts, subPart{text: lit.String()})
				lit.Reset()
			}
			parts = append(parts, subPart{text: strings.TrimSpace(name), variable: true})
		}
		s = rest[j+1:]
	}
	if lit.Len() > 0 {
		parts = append(parts, subPart{text: lit.String()})
	}
	return parts
}
