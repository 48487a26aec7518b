package stack

import "testing"

func TestCutLogGroupArn(t *testing.T) {
	for _, tc := range []struct {
		arn, want string
		ok        bool
	}{
		{"arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/x:*", "/aws/vendedlogs/states/x:*", true},
		{"arn:aws:logs:us-east-1:000000000000:log-group:g", "g", true},
		{"arn:aws:logs:us-east-12:000000000000:log-group:g", "", false},
		{"arn:aws:logs:us-east-1:0000000000001:log-group:g", "", false},
		{"arn:aws:logs:eu-west-1:000000000000:log-group:g", "", false},
		{"arn:aws:logs:us-east-1:000000000000:log-stream:g", "", false},
		{"", "", false},
	} {
		got, ok := cutLogGroupArn(tc.arn, "us-east-1", "000000000000")
		if got != tc.want || ok != tc.ok {
			t.Errorf("cutLogGroupArn(%q) = %q, %v; want %q, %v", tc.arn, got, ok, tc.want, tc.ok)
		}
	}
}
