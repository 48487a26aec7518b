package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// maxListKeys is the most keys one ListObjects page returns.
const maxListKeys = 1000

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

type listPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listResult struct {
	XMLName               xml.Name     `xml:"ListBucketResult"`
	Xmlns                 string       `xml:"xmlns,attr"`
	Name                  string       `xml:"Name"`
	Prefix                string       `xml:"Prefix"`
	Marker                *string      `xml:"Marker,omitempty"`
	NextMarker            string       `xml:"NextMarker,omitempty"`
	StartAfter            string       `xml:"StartAfter,omitempty"`
	ContinuationToken     string       `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string       `xml:"NextContinuationToken,omitempty"`
	KeyCount              *int         `xml:"KeyCount,omitempty"`
	MaxKeys               int64        `xml:"MaxKeys"`
	Delimiter             string       `xml:"Delimiter,omitempty"`
	EncodingType          string       `xml:"EncodingType,omitempty"`
	IsTruncated           bool         `xml:"IsTruncated"`
	Contents              []listEntry  `xml:"Contents"`
	CommonPrefixes        []listPrefix `xml:"CommonPrefixes"`
}

// listObjects serves ListObjects and ListObjectsV2 with encoding-type=url, which gofakes3
// ignores (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
func (rq *request) listObjects() {
	q := rq.q
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		rq.fail(errInvalidArgument("Invalid Encoding Method specified in Request"))
		return
	}
	maxKeys := int64(maxListKeys)
	if v, ok := q["max-keys"]; ok {
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || n < 0 {
			rq.fail(errInvalidArgument("Provided max-keys not an integer or within integer range"))
			return
		}
		maxKeys = min(n, maxListKeys)
	}
	v2 := q.Get("list-type") == "2"
	prefix := gofakes3.NewPrefix(nil, nil)
	if _, ok := q["prefix"]; ok && q.Get("prefix") != "" {
		p := q.Get("prefix")
		prefix.HasPrefix, prefix.Prefix = true, p
	}
	if _, ok := q["delimiter"]; ok && q.Get("delimiter") != "" {
		d := q.Get("delimiter")
		prefix.HasDelimiter, prefix.Delimiter = true, d
	}
	page := gofakes3.ListBucketPage{MaxKeys: maxKeys}
	out := listResult{Xmlns: xmlns, Name: rq.bucket, MaxKeys: maxKeys, EncodingType: enc}
	if v2 {
		if tok, ok := q["continuation-token"]; ok {
			raw, err := base64.RawURLEncoding.DecodeString(tok[0])
			if err != nil || len(raw) == 0 {
				rq.fail(errInvalidArgument("The continuation token provided is incorrect"))
				return
			}
			page.HasMarker, page.Marker = true, string(raw)
			out.ContinuationToken = tok[0]
		} else if sa := q.Get("start-after"); sa != "" {
			page.HasMarker, page.Marker = true, sa
			out.StartAfter = encodeListValue(sa, enc)
		}
	} else {
		m := q.Get("marker")
		if m != "" {
			page.HasMarker, page.Marker = true, m
		}
		em := encodeListValue(m, enc)
		out.Marker = &em
	}
	if maxKeys == 0 {
		page.MaxKeys = 0
	}
	list := &gofakes3.ObjectList{}
	if maxKeys > 0 {
		var err error
		list, err = backend{rq.s}.ListBucket(rq.bucket, &prefix, page)
		if err != nil {
			rq.fail(err)
			return
		}
	} else if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return
	}
	out.Prefix = encodeListValue(prefix.Prefix, enc)
	out.Delimiter = encodeListValue(prefix.Delimiter, enc)
	out.IsTruncated = list.IsTruncated
	for _, c := range list.Contents {
		out.Contents = append(out.Contents, listEntry{Key: encodeListValue(c.Key, enc),
			LastModified: c.LastModified.UTC().Format("2006-01-02T15:04:05.000Z"), ETag: c.ETag, Size: c.Size, StorageClass: "STANDARD"})
	}
	for _, p := range list.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, listPrefix{encodeListValue(p.Prefix, enc)})
	}
	if v2 {
		n := len(out.Contents) + len(out.CommonPrefixes)
		out.KeyCount = &n
		if list.IsTruncated {
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(list.NextMarker))
		}
	} else if list.IsTruncated && prefix.HasDelimiter {
		out.NextMarker = encodeListValue(list.NextMarker, enc)
	}
	rq.writeXML(http.StatusOK, out)
}

// encodeListValue applies encoding-type=url as S3 does: form encoding (space as "+"), with
// "/" left as is.
func encodeListValue(s, enc string) string {
	if enc != "url" {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}
