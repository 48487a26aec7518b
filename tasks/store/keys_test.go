package store

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/tasks"
)

func TestSplitSource(t *testing.T) {
	tests := []struct {
		key, dataset, name string
		ok                 bool
	}{
		{key: "incoming/sales/a.csv", dataset: "sales", name: "a.csv", ok: true},
		{key: "incoming/sales/2026/11/a.csv.gz", dataset: "sales", name: "2026/11/a.csv.gz", ok: true},
		{key: "incoming/a.csv"},
		{key: "incoming//a.csv"},
		{key: "incoming/sales/"},
		{key: "incoming/sales/dir/"},
		{key: "processed/sales/a.csv"},
		{key: ""},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			dataset, name, ok := splitSource(tt.key)
			if dataset != tt.dataset || name != tt.name || ok != tt.ok {
				t.Errorf("splitSource(%q) = %q, %q, %v; want %q, %q, %v", tt.key, dataset, name, ok, tt.dataset, tt.name, tt.ok)
			}
		})
	}
}

// FuzzCopySource checks that the x-amz-copy-source value decodes back to exactly the bucket, key and
// version, whatever bytes the key holds.
func FuzzCopySource(f *testing.F) {
	for _, seed := range []string{"incoming/sales/a.csv", "incoming/s/a b+c%d?e#f", "incoming/ü/ñ/😀", "a//b/", "x\x00y"} {
		f.Add(seed, "")
		f.Add(seed, "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")
	}
	f.Fuzz(func(t *testing.T, key, version string) {
		src := copySource(tasks.ObjectRef{Bucket: "bkt", Key: key, VersionID: version})
		path, query, hasQuery := strings.Cut(src, "?")
		if hasQuery != (version != "") {
			t.Fatalf("copySource(%q, %q) = %q: query present %v", key, version, src, hasQuery)
		}
		gotPath, err := url.PathUnescape(path)
		if err != nil {
			t.Fatalf("copySource(%q) = %q: %v", key, src, err)
		}
		if want := "bkt/" + key; gotPath != want {
			t.Fatalf("copySource(%q) decodes to %q, want %q", key, gotPath, want)
		}
		if strings.ContainsAny(path, " +#") {
			t.Fatalf("copySource(%q) = %q leaves a character servers read differently", key, src)
		}
		if hasQuery {
			v, err := url.ParseQuery(query)
			if err != nil || v.Get("versionId") != version {
				t.Fatalf("copySource version: %q decodes to %q (%v), want %q", query, v.Get("versionId"), err, version)
			}
		}
	})
}

// FuzzSplitSource checks that a source key that splits splits back into itself.
func FuzzSplitSource(f *testing.F) {
	for _, seed := range []string{"incoming/sales/a.csv", "arn:aws:states:r:1:execution:M:n/../x", "incoming//", "..", "a:b/c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if dataset, rest, ok := splitSource(s); ok {
			if strings.Contains(dataset, "/") || dataset == "" || rest == "" || tasks.PrefixIncoming+dataset+"/"+rest != s {
				t.Errorf("splitSource(%q) = %q, %q", s, dataset, rest)
			}
		}
	})
}

func TestCompareSequencers(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"0062E99A88DC407460", "0062E99A88DC407461", -1},
		{"FF", "0100", -1},
		{"0100", "ff", 1},
		{"00FF", "ff", 0},
		{"A", "A", 0},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			if got := compareSequencers(tt.a, tt.b); got != tt.want {
				t.Errorf("compareSequencers(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
