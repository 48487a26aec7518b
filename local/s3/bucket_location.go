package s3

import (
	"encoding/xml"
	"net/http"
)

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// bucketLocation serves GetBucketLocation: empty for us-east-1, else the region
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
func (rq *request) bucketLocation() {
	if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return
	}
	region := rq.s.region
	if region == "us-east-1" {
		region = ""
	}
	rq.writeXML(http.StatusOK, locationConstraint{Xmlns: xmlns, Region: region})
}

// headBucket serves HeadBucket with the x-amz-bucket-region header.
func (rq *request) headBucket() {
	if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return
	}
	rq.w.Header().Set("x-amz-bucket-region", rq.s.region)
	rq.w.WriteHeader(http.StatusOK)
}
