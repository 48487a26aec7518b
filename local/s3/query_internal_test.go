package s3

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzRequestQuery checks parseRequestQuery against url.ParseQuery (what r.URL.Query() gives) for any
// raw query, twice, with the map released in between: a pooled map given back must hold nothing of the
// request before.
func FuzzRequestQuery(f *testing.F) {
	for _, s := range []string{"", "x-id=GetObject", "versionId=", "versionId", "=v", "tagging", "a=1&b=2",
		"prefix=a%2Fb", "k=v+w", "a=1;b=2", "a=%zz", "uploadId=abc&partNumber=3", "&", "a=b=c", "delete&x-id=DeleteObjects"} {
		f.Add(s, "list-type=2")
	}
	f.Fuzz(func(t *testing.T, raw, next string) {
		for _, r := range []string{raw, next, raw} {
			got, pooled := parseRequestQuery(r)
			want, _ := url.ParseQuery(r)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("%q (-got +want):\n%s", r, diff)
			}
			if pooled != nil {
				pooled.release()
			}
		}
	})
}
