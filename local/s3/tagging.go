package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"unicode/utf8"
)

// Object tag limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html): at
// most 10 tags, each key 1 to 128 Unicode characters, each value at most 256, keys unique.
const (
	maxObjectTags   = 10
	maxTagKeyChars  = 128
	maxTagValueChar = 256
)

func errInvalidTag(msg string) error { return &apiError{"InvalidTag", msg} }

// parseTagging reads an x-amz-tagging header (the tag set as URL query parameters, as PutObject and
// CopyObject with REPLACE take it) and returns it in one canonical form, sorted by key ("" for none).
func parseTagging(header string) (string, error) {
	if header == "" {
		return "", nil
	}
	q, err := url.ParseQuery(header)
	if err != nil {
		return "", errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	if len(q) > maxObjectTags {
		return "", errInvalidTag("Object tags cannot be greater than 10")
	}
	for k, vs := range q {
		if len(vs) > 1 {
			return "", errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		if k == "" || utf8.RuneCountInString(k) > maxTagKeyChars || !utf8.ValidString(k) {
			return "", errInvalidTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(vs[0]) > maxTagValueChar || !utf8.ValidString(vs[0]) {
			return "", errInvalidTag("The TagValue you have provided is invalid")
		}
	}
	return q.Encode(), nil
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr"`
	TagSet  []tagXML `xml:"TagSet>Tag"`
}

// tagCount is the number of tags of a canonical tag set, for x-amz-tagging-count.
func tagCount(tags string) int {
	q, _ := url.ParseQuery(tags)
	return len(q)
}

// getObjectTagging serves GetObjectTagging (GET /bucket/key?tagging[&versionId=]).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html
func (rq *request) getObjectTagging() {
	v, _, err := rq.s.store.lookup(rq.bucket, rq.key, rq.q.Get("versionId"), false)
	if err != nil {
		rq.fail(err)
		return
	}
	if v.DeleteMarker {
		rq.fail(errNoSuchKey())
		return
	}
	q, _ := url.ParseQuery(v.Tags)
	out := taggingXML{Xmlns: xmlns, TagSet: []tagXML{}}
	for k, vs := range q {
		out.TagSet = append(out.TagSet, tagXML{Key: k, Value: vs[0]})
	}
	sort.Slice(out.TagSet, func(i, j int) bool { return out.TagSet[i].Key < out.TagSet[j].Key })
	if v.ID != "" {
		rq.w.Header().Set("x-amz-version-id", v.ID)
	}
	rq.writeXML(http.StatusOK, out)
}
