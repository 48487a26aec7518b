package s3

import (
	"encoding/xml"
	"io"
	"net/http"
)

type completeRequest struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []completedPart `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// completeMultipart serves CompleteMultipartUpload, with If-Match / If-None-Match.
func (rq *request) completeMultipart() {
	cond, err := writeConditionsFrom(rq.r.Header)
	if err != nil {
		rq.fail(err)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(rq.r.Body, 4<<20))
	if err != nil {
		rq.fail(errIncompleteBody())
		return
	}
	var in completeRequest
	if err := xml.Unmarshal(raw, &in); err != nil {
		rq.fail(errMalformedXML())
		return
	}
	v, err := rq.s.completeUpload(rq.bucket, rq.key, rq.q.Get("uploadId"), in.Parts, cond, rq.origin)
	if err != nil {
		rq.fail(err)
		return
	}
	if v.ID != "" {
		rq.w.Header().Set("x-amz-version-id", v.ID)
	}
	scheme := "http"
	if rq.r.TLS != nil {
		scheme = "https"
	}
	rq.writeXML(http.StatusOK, completeResult{Xmlns: xmlns, Location: scheme + "://" + rq.r.Host + "/" + rq.bucket + "/" + rq.key,
		Bucket: rq.bucket, Key: rq.key, ETag: `"` + v.ETag + `"`})
}
