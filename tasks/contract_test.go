package tasks_test

import (
	"testing"

	"github.com/sluicehq/sluice/tasks"
)

func TestQuoteETag(t *testing.T) {
	tests := []struct{ in, want string }{
		{`9b2cf535f27731c974343645a3985328`, `"9b2cf535f27731c974343645a3985328"`},
		{`"9b2cf535f27731c974343645a3985328"`, `"9b2cf535f27731c974343645a3985328"`},
		{`d41d8cd98f00b204e9800998ecf8427e-2`, `"d41d8cd98f00b204e9800998ecf8427e-2"`}, // multipart
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := tasks.QuoteETag(tt.in); got != tt.want {
				t.Errorf("QuoteETag(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
