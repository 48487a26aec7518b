package events

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validator collects model-level constraint violations and renders them the
// way AWS's front end does: "1 validation error detected: Value 'x' at
// 'name' failed to satisfy constraint: Member must ...".
type validator struct {
	errs []string
}

func (v *validator) add(value, field, constraint string) {
	v.errs = append(v.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", value, field, constraint))
}

func quote(s string) string { return "'" + s + "'" }

// required reports a missing member.
func (v *validator) required(field string, present bool) bool {
	if !present {
		v.add("null", field, "not be null")
	}
	return present
}

// str checks an optional string member's length and pattern.
func (v *validator) str(field string, s *string, minLen, maxLen int, re *regexp.Regexp) {
	if s == nil {
		return
	}
	n := utf8.RuneCountInString(*s)
	switch {
	case n < minLen:
		v.add(quote(*s), field, "have length greater than or equal to "+strconv.Itoa(minLen))
	case maxLen > 0 && n > maxLen:
		v.add(quote(*s), field, "have length less than or equal to "+strconv.Itoa(maxLen))
	}
	if re != nil && !re.MatchString(*s) {
		v.add(quote(*s), field, "satisfy regular expression pattern: "+strings.TrimSuffix(strings.TrimPrefix(re.String(), "^"), "$"))
	}
}

// enum checks an optional string member against its allowed values.
func (v *validator) enum(field string, s *string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.add(quote(*s), field, "satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// num checks an optional integer member's range.
func (v *validator) num(field string, n *int64, minV, maxV int64) {
	if n == nil {
		return
	}
	switch {
	case *n < minV:
		v.add(strconv.FormatInt(*n, 10), field, "have value greater than or equal to "+strconv.FormatInt(minV, 10))
	case *n > maxV:
		v.add(strconv.FormatInt(*n, 10), field, "have value less than or equal to "+strconv.FormatInt(maxV, 10))
	}
}

// count checks a list member's length.
func (v *validator) count(field string, n, minN, maxN int, present bool) {
	if !present {
		return
	}
	switch {
	case n < minN:
		v.add("[]", field, "have length greater than or equal to "+strconv.Itoa(minN))
	case n > maxN:
		v.add("[...]", field, "have length less than or equal to "+strconv.Itoa(maxN))
	}
}

// err returns the ValidationException for the collected violations, or nil.
// page checks the NextToken and Limit members that every List operation
// shares.
func (v *validator) page(token *string, limit *int64) {
	v.str("nextToken", token, 1, 2048, nil)
	v.num("limit", limit, 1, 100)
}

func (v *validator) err() *apiError {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return fail(codeValidation, "1 validation error detected: "+v.errs[0])
	}
	return fail(codeValidation, strconv.Itoa(len(v.errs))+" validation errors detected: "+strings.Join(v.errs, "; "))
}

// Patterns from the EventBridge API model
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html and friends).
var (
	reRuleName     = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	reTargetID     = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	reBusName      = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]+$`)
	reBusNameOrArn = regexp.MustCompile(`^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+$`)
	reBusPrefix    = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]+$`)
	rePathsMapKey  = regexp.MustCompile(`^[A-Za-z0-9\_\-]+$`)
	// reSchedule accepts the two forms of
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html:
	// rate(value unit) and cron(six fields).
	reSchedule = regexp.MustCompile(`^(rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$`)
)
