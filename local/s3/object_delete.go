package s3

import (
	"encoding/xml"
	"io"
	"net/http"
)

// deleteObject serves DeleteObject.
func (rq *request) deleteObject() {
	versionID := rq.q.Get("versionId")
	if has(rq.q, "versionId") && versionID == "" {
		rq.fail(errInvalidArgument("Version id cannot be the empty string"))
		return
	}
	res, err := rq.s.deleteObject(rq.bucket, rq.key, versionID, rq.origin)
	if err != nil {
		rq.fail(err)
		return
	}
	if res.DeleteMarker {
		rq.w.Header().Set("x-amz-delete-marker", "true")
	}
	if res.VersionID != "" {
		rq.w.Header().Set("x-amz-version-id", res.VersionID)
	}
	rq.w.WriteHeader(http.StatusNoContent)
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deletedEntry struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteErrorEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResultXML struct {
	XMLName xml.Name           `xml:"DeleteResult"`
	Xmlns   string             `xml:"xmlns,attr"`
	Deleted []deletedEntry     `xml:"Deleted"`
	Errors  []deleteErrorEntry `xml:"Error"`
}

// maxDeleteObjects is the most keys one DeleteObjects request may name
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).
const maxDeleteObjects = 1000

// deleteObjects serves DeleteObjects; each key is deleted (and evented) as by DeleteObject.
func (rq *request) deleteObjects() {
	if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(rq.r.Body, 2<<20))
	if err != nil {
		rq.fail(errIncompleteBody())
		return
	}
	var in deleteRequest
	if err := xml.Unmarshal(raw, &in); err != nil || len(in.Objects) == 0 || len(in.Objects) > maxDeleteObjects {
		rq.fail(errMalformedXML())
		return
	}
	out := deleteResultXML{Xmlns: xmlns}
	for _, o := range in.Objects {
		res, err := rq.s.deleteObject(rq.bucket, o.Key, o.VersionID, rq.origin)
		if err != nil {
			ae := toAPIError(err)
			out.Errors = append(out.Errors, deleteErrorEntry{Key: o.Key, VersionID: o.VersionID, Code: string(ae.Code), Message: ae.Message})
			continue
		}
		if in.Quiet {
			continue
		}
		e := deletedEntry{Key: o.Key, VersionID: o.VersionID}
		if o.VersionID != "" {
			e.DeleteMarker = res.DeleteMarker
		} else if res.DeleteMarker {
			e.DeleteMarker, e.DeleteMarkerVersionID = true, res.VersionID
		}
		out.Deleted = append(out.Deleted, e)
	}
	rq.writeXML(http.StatusOK, out)
}

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

func (rq *request) writeXML(status int, v any) {
	rq.w.Header().Set("Content-Type", "application/xml")
	rq.w.WriteHeader(status)
	writeXMLBody(rq.w, v)
}
