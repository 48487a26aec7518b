package schema

import (
	"container/list"
	"sync"
)

// DefaultCacheSize is the number of schemas a Cache made by NewCache(0) keeps.
const DefaultCacheSize = 64

// Cache keeps parsed schemas between invocations of a warm task handler, keyed by bucket and key, each
// with the ETag of the object it was parsed from. It does not decide freshness: a caller revalidates an
// entry on every use with a conditional GetObject (If-None-Match: the ETag), reuses the schema only on
// 304 Not Modified, and otherwise parses the new body and stores it with its new ETag. It keeps at most
// its size, evicting the least recently used. It is safe for concurrent use; the schemas it holds are
// shared, and a Schema made by Parse is read-only, so they may be used by several goroutines at once.
type Cache struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *cacheEntry, most recently used first
	m     map[cacheKey]*list.Element
}

type cacheKey struct{ bucket, key string }

type cacheEntry struct {
	k      cacheKey
	etag   string
	schema *Schema
}

// NewCache returns a Cache of at most size schemas (DefaultCacheSize when size <= 0).
func NewCache(size int) *Cache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Cache{size: size, order: list.New(), m: map[cacheKey]*list.Element{}}
}

// Get returns the schema cached for bucket and key and the ETag it was parsed from, or nil and "".
// A nil Cache has nothing.
func (c *Cache) Get(bucket, key string) (*Schema, string) {
	if c == nil {
		return nil, ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.m[cacheKey{bucket, key}]
	if el == nil {
		return nil, ""
	}
	c.order.MoveToFront(el)
	e := el.Value.(*cacheEntry)
	return e.schema, e.etag
}

// Put caches s, parsed from the object bucket/key whose ETag is etag, replacing any schema cached for
// it. An empty etag cannot be revalidated, so it removes the entry instead.
func (c *Cache) Put(bucket, key, etag string, s *Schema) {
	if c == nil {
		return
	}
	if etag == "" || s == nil {
		c.Remove(bucket, key)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{bucket, key}
	if el := c.m[k]; el != nil {
		e := el.Value.(*cacheEntry)
		e.etag, e.schema = etag, s
		c.order.MoveToFront(el)
		return
	}
	c.m[k] = c.order.PushFront(&cacheEntry{k: k, etag: etag, schema: s})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.m, last.Value.(*cacheEntry).k)
	}
}

// Remove forgets the schema cached for bucket and key, if any.
func (c *Cache) Remove(bucket, key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.m[cacheKey{bucket, key}]; el != nil {
		c.order.Remove(el)
		delete(c.m, cacheKey{bucket, key})
	}
}

// Len returns the number of schemas cached.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
