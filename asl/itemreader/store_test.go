package itemreader_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/asl/itemreader"
)

// memStore is an in-memory Store for the parsers' tests; the end-to-end tests use the local S3.
type memStore struct {
	objects  map[string]map[string][]byte // bucket -> key -> body
	pageSize int
	modified time.Time
}

func newMemStore() *memStore {
	return &memStore{objects: map[string]map[string][]byte{}, pageSize: 3, modified: time.Unix(1668699881, 0)}
}

func (m *memStore) put(bucket, key, body string) {
	if m.objects[bucket] == nil {
		m.objects[bucket] = map[string][]byte{}
	}
	m.objects[bucket][key] = []byte(body)
}

func (m *memStore) List(_ context.Context, bucket, prefix, token string) (itemreader.Page, error) {
	objs, ok := m.objects[bucket]
	if !ok {
		return itemreader.Page{}, fmt.Errorf("NoSuchBucket: %w", itemreader.ErrNotFound)
	}
	var keys []string
	for k := range objs {
		if strings.HasPrefix(k, prefix) && k > token {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var p itemreader.Page
	for i, k := range keys {
		if i == m.pageSize {
			p.Next = keys[i-1]
			break
		}
		p.Objects = append(p.Objects, itemreader.Object{Key: k, ETag: strconv.Quote(fmt.Sprintf("%032x", len(objs[k]))),
			LastModified: m.modified, Size: int64(len(objs[k]))})
	}
	return p, nil
}

func (m *memStore) Get(_ context.Context, bucket, key, _ string) (io.ReadCloser, error) {
	b, ok := m.objects[bucket][key]
	if !ok {
		return nil, fmt.Errorf("NoSuchKey: %w", itemreader.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// streamStore serves one object made on the fly by a function, so a test can read more data than it
// could hold.
type streamStore struct {
	open func() io.Reader
}

func (s streamStore) List(context.Context, string, string, string) (itemreader.Page, error) {
	return itemreader.Page{}, nil
}

func (s streamStore) Get(context.Context, string, string, string) (io.ReadCloser, error) {
	return io.NopCloser(s.open()), nil
}
