package itemreader

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// maxManifestBytes bounds a manifest file read whole (an S3 Inventory manifest.json lists files, not
// objects, so it is small).
const maxManifestBytes = 16 << 20

// inventoryManifest is the part of an S3 Inventory manifest.json the reader uses:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html
type inventoryManifest struct {
	SourceBucket      string `json:"sourceBucket"`
	DestinationBucket string `json:"destinationBucket"`
	FileFormat        string `json:"fileFormat"`
	FileSchema        string `json:"fileSchema"`
	Files             []struct {
		Key string `json:"key"`
	} `json:"files"`
}

// newManifest reads a manifest object: an S3 Inventory manifest.json (its CSV data files' rows as
// objects named by fileSchema, every value a string), or with ManifestType ATHENA_DATA an Athena UNLOAD
// manifest (one s3:// URI a line, each data file read as CSV or JSONL).
func newManifest(ctx context.Context, store Store, rc io.ReadCloser, r Request, key string) (source, error) {
	if r.ManifestType == ManifestAthenaData {
		return newAthenaManifest(store, rc, r, key), nil
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifestBytes+1))
	if err != nil {
		return nil, failf(err, "Unable to read the manifest %s: %v", location(r.Bucket, key), err)
	}
	if len(data) > maxManifestBytes {
		return nil, failf(nil, "The manifest %s is larger than %d bytes.", location(r.Bucket, key), maxManifestBytes)
	}
	var m inventoryManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, failf(err, "The manifest %s is not a valid S3 Inventory manifest: %v", location(r.Bucket, key), err)
	}
	if m.FileFormat != "CSV" {
		return nil, failf(nil, "The manifest %s has fileFormat %q: only CSV inventories can be read.", location(r.Bucket, key), m.FileFormat)
	}
	var schema []string
	for _, f := range strings.Split(m.FileSchema, ",") {
		if f = strings.TrimSpace(f); f != "" {
			schema = append(schema, f)
		}
	}
	if len(schema) == 0 {
		return nil, failf(nil, "The manifest %s has no fileSchema.", location(r.Bucket, key))
	}
	dest := m.DestinationBucket
	if b, ok := strings.CutPrefix(dest, "arn:"); ok {
		// arn:<partition>:s3:::<bucket>
		if i := strings.LastIndex(b, ":"); i >= 0 {
			dest = b[i+1:]
		}
	}
	if dest == "" {
		dest = r.Bucket
	}
	files := m.Files
	csvReq := Request{InputType: InputCSV, CSVHeaderLocation: HeaderGiven, CSVHeaders: schema}
	return &chain{open: func(ctx context.Context) (source, error) {
		if len(files) == 0 {
			return nil, io.EOF
		}
		f := files[0]
		files = files[1:]
		body, err := getObject(ctx, store, dest, f.Key, "")
		if err != nil {
			return nil, err
		}
		rd, err := maybeGunzip(body, f.Key)
		if err != nil {
			body.Close()
			return nil, failf(err, "Unable to read the inventory file %s: %v", location(dest, f.Key), err)
		}
		s, err := newCSV(rd, csvReq, f.Key)
		if err != nil {
			rd.Close()
			return nil, err
		}
		return s, nil
	}}, nil
}

// maybeGunzip decompresses a gzip stream (inventory files are .csv.gz), by its magic number.
func maybeGunzip(rc io.ReadCloser, key string) (io.ReadCloser, error) {
	br := bufio.NewReader(rc)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return readCloser{br, rc}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	return readCloser{zr, closerFunc(func() error { return errors.Join(zr.Close(), rc.Close()) })}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// newAthenaManifest reads an Athena UNLOAD manifest: one data file URI (s3://bucket/key) a line.
func newAthenaManifest(store Store, rc io.ReadCloser, r Request, key string) source {
	lines := bufio.NewScanner(rc)
	lines.Buffer(make([]byte, 0, 4096), 64<<10)
	dataReq := r
	dataReq.InputType = r.dataInputType()
	c := &chain{}
	c.open = func(ctx context.Context) (source, error) {
		for lines.Scan() {
			uri := strings.TrimSpace(lines.Text())
			if uri == "" {
				continue
			}
			rest, ok := strings.CutPrefix(uri, "s3://")
			bucket, k, ok2 := strings.Cut(rest, "/")
			if !ok || !ok2 || bucket == "" || k == "" {
				return nil, failf(nil, "The manifest %s lists %q, which is not an s3://bucket/key URI.", location(r.Bucket, key), uri)
			}
			return openObject(ctx, store, dataReq, bucket, k, "")
		}
		if err := lines.Err(); err != nil {
			return nil, failf(err, "Unable to read the manifest %s: %v", location(r.Bucket, key), err)
		}
		return nil, io.EOF
	}
	return &closingChain{chain: c, rc: rc}
}

// closingChain is a chain that also closes the manifest it reads.
type closingChain struct {
	*chain
	rc io.Closer
}

func (c *closingChain) close() error { return errors.Join(c.chain.close(), c.rc.Close()) }
