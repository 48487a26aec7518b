package itemreader

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// lister yields the objects under a prefix, one listing page in memory at a time, each as Step
// Functions shapes it for arn:aws:states:::s3:listObjectsV2:
// {"Etag": "\"…\"", "Key": "…", "LastModified": <seconds since the epoch>, "Size": <bytes>,
// "StorageClass": "STANDARD"}.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
type lister struct {
	store          Store
	bucket, prefix string
	page           []Object
	token          string
	started, last  bool
}

func (l *lister) nextObject(ctx context.Context) (Object, error) {
	for len(l.page) == 0 {
		if l.last {
			return Object{}, io.EOF
		}
		p, err := l.store.List(ctx, l.bucket, l.prefix, l.token)
		if err != nil {
			if ctx.Err() != nil {
				return Object{}, ctx.Err()
			}
			return Object{}, failf(err, "Unable to list the objects of s3://%s/%s: %v", l.bucket, l.prefix, err)
		}
		l.started = true
		l.page, l.token = p.Objects, p.Next
		l.last = p.Next == ""
	}
	o := l.page[0]
	l.page = l.page[1:]
	return o, nil
}

func (l *lister) next(ctx context.Context) (any, error) {
	o, err := l.nextObject(ctx)
	if err != nil {
		return nil, err
	}
	return ObjectItem(o), nil
}

func (l *lister) close() error { return nil }

// ObjectItem is the item Step Functions makes of a listed object.
func ObjectItem(o Object) map[string]any {
	sc := o.StorageClass
	if sc == "" {
		sc = "STANDARD"
	}
	return map[string]any{
		"Etag":         o.ETag,
		"Key":          o.Key,
		"LastModified": json.Number(strconv.FormatInt(o.LastModified.Unix(), 10)),
		"Size":         json.Number(strconv.FormatInt(o.Size, 10)),
		"StorageClass": sc,
	}
}

// chain yields the items of one source after another until open says io.EOF.
type chain struct {
	open func(ctx context.Context) (source, error)
	cur  source
}

func (c *chain) next(ctx context.Context) (any, error) {
	for {
		if c.cur == nil {
			s, err := c.open(ctx)
			if err != nil {
				return nil, err
			}
			c.cur = s
		}
		v, err := c.cur.next(ctx)
		if err == io.EOF {
			c.cur.close()
			c.cur = nil
			continue
		}
		return v, err
	}
}

func (c *chain) close() error {
	if c.cur == nil {
		return nil
	}
	err := c.cur.close()
	c.cur = nil
	return err
}

// flattener is listObjectsV2 with Transformation LOAD_AND_FLATTEN: every listed object is read with
// the InputType and its items yielded in turn. Folder markers (empty keys ending in "/") are skipped.
type flattener struct {
	store Store
	req   Request
	keys  *lister
	chain
}

func (f *flattener) next(ctx context.Context) (any, error) {
	if f.open == nil {
		f.open = func(ctx context.Context) (source, error) {
			for {
				o, err := f.keys.nextObject(ctx)
				if err != nil {
					return nil, err
				}
				if o.Size == 0 && strings.HasSuffix(o.Key, "/") {
					continue
				}
				return openObject(ctx, f.store, f.req, f.req.Bucket, o.Key, "")
			}
		}
	}
	return f.chain.next(ctx)
}
