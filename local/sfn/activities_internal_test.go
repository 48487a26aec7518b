package sfn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheckActivityArn: an activity ARN the service accepts has seven colon-separated fields with
// "states" and "activity" in their places and a valid activity name last; the ARN the service makes for
// a valid name is always accepted.
func FuzzCheckActivityArn(f *testing.F) {
	for _, seed := range []string{
		"arn:aws:states:us-east-1:000000000000:activity:a",
		"arn:aws:states:us-east-1:000000000000:activity:",
		"arn:aws:states:us-east-1:000000000000:activity:a:b",
		"arn:aws:states:us-east-1:000000000000:stateMachine:a",
		"arn:aws-cn:states:cn-north-1:1:activity:x y",
		"arn::states:r:a:activity:n",
		"",
	} {
		f.Add(seed, "worker")
	}
	f.Add("", strings.Repeat("\U0001F600", 80)) // 80 characters of 4 bytes: a 367-byte ARN of 127 characters
	s := &Service{region: "us-east-1", account: "000000000000"}
	f.Fuzz(func(t *testing.T, arn, name string) {
		if checkActivityArn("activityArn", arn) == nil {
			parts := strings.Split(arn, ":")
			if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "activity" || !validName(parts[6]) || utf8.RuneCountInString(arn) > 256 {
				t.Fatalf("accepted %q", arn)
			}
		}
		if validName(name) {
			if err := checkActivityArn("activityArn", s.activityArn(name)); err != nil {
				t.Fatalf("the ARN made for %q is refused: %v", name, err)
			}
		}
	})
}
