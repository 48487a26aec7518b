package schema

import (
	"fmt"
	"sync"
	"testing"
)

func mustParse(t *testing.T, name string) *Schema {
	t.Helper()
	s, err := Parse([]byte(`{"name":"` + name + `","columns":[{"name":"id","type":"string"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	a, b, d := mustParse(t, "a"), mustParse(t, "b"), mustParse(t, "d")
	c.Put("bk", "a", `"1"`, a)
	c.Put("bk", "b", `"2"`, b)
	if s, etag := c.Get("bk", "a"); s != a || etag != `"1"` { // a is now the most recently used
		t.Fatalf("Get a = %v %q, want a \"1\"", s, etag)
	}
	c.Put("bk", "d", `"3"`, d) // evicts b, the least recently used
	if s, _ := c.Get("bk", "b"); s != nil {
		t.Errorf("b still cached after eviction")
	}
	if s, _ := c.Get("other", "a"); s != nil {
		t.Errorf("a found in another bucket")
	}
	c.Put("bk", "a", `"4"`, d)
	if s, etag := c.Get("bk", "a"); s != d || etag != `"4"` {
		t.Errorf("Get a after replace = %v %q, want d \"4\"", s, etag)
	}
	c.Put("bk", "a", "", a) // no ETag: cannot be revalidated, so not kept
	if s, _ := c.Get("bk", "a"); s != nil {
		t.Errorf("a kept without an ETag")
	}
	c.Remove("bk", "d")
	if got := c.Len(); got != 0 {
		t.Errorf("Len = %d, want 0", got)
	}
	var nilCache *Cache
	nilCache.Put("bk", "a", `"1"`, a)
	if s, _ := nilCache.Get("bk", "a"); s != nil || nilCache.Len() != 0 {
		t.Errorf("a nil Cache kept a schema")
	}
}

// TestCacheBounded checks the size bound under concurrent use (run with -race).
func TestCacheBounded(t *testing.T) {
	c := NewCache(0)
	s := mustParse(t, "a")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprintf("k%d-%d", w, i)
				c.Put("bk", key, `"e"`, s)
				c.Get("bk", key)
				if i%7 == 0 {
					c.Remove("bk", key)
				}
			}
		})
	}
	wg.Wait()
	if got := c.Len(); got != DefaultCacheSize {
		t.Errorf("Len = %d, want %d", got, DefaultCacheSize)
	}
}
