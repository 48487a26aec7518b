package s3

import (
	"encoding/xml"
	"io"
	"net/http"
)

// The bucket settings an artifact bucket is made with: default encryption and the public access block.
// They are kept and answered as S3 does; the local S3 stores objects unencrypted and serves no anonymous
// requests either way, so they change nothing else.

// encryptionConfiguration is a bucket's default encryption
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html).
type encryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration" json:"-"`
	Xmlns   string           `xml:"xmlns,attr,omitempty" json:"-"`
	Rules   []encryptionRule `xml:"Rule" json:"rules"`
}

type encryptionRule struct {
	Default *struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm" json:"sseAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty" json:"kmsMasterKeyId,omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault" json:"default"`
	BucketKeyEnabled *bool `xml:"BucketKeyEnabled,omitempty" json:"bucketKeyEnabled,omitempty"`
}

// defaultEncryption is what a bucket without its own setting answers: S3 encrypts every new object with
// SSE-S3 since January 2023 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
func defaultEncryption() *encryptionConfiguration {
	r := encryptionRule{BucketKeyEnabled: new(false)}
	r.Default = &struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm" json:"sseAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty" json:"kmsMasterKeyId,omitempty"`
	}{SSEAlgorithm: "AES256"}
	return &encryptionConfiguration{Rules: []encryptionRule{r}}
}

// sseAlgorithms are the SSEAlgorithm values S3 takes.
var sseAlgorithms = map[string]bool{"AES256": true, "aws:kms": true, "aws:kms:dsse": true}

// encryption serves GetBucketEncryption and PutBucketEncryption.
func (rq *request) encryption() {
	switch rq.r.Method {
	case http.MethodGet:
		cfg, err := rq.s.store.config(rq.bucket)
		if err != nil {
			rq.fail(err)
			return
		}
		out := cfg.Encryption
		if out == nil {
			out = defaultEncryption()
		}
		c := *out
		c.Xmlns = xmlns
		rq.writeXML(http.StatusOK, c)
	case http.MethodPut:
		var in encryptionConfiguration
		if !rq.readSetting(&in) {
			return
		}
		if len(in.Rules) == 0 {
			rq.fail(errMalformedXML())
			return
		}
		for _, r := range in.Rules {
			if r.Default == nil || !sseAlgorithms[r.Default.SSEAlgorithm] {
				rq.fail(errMalformedXML())
				return
			}
			if r.Default.KMSMasterKeyID != "" && r.Default.SSEAlgorithm == "AES256" {
				rq.fail(errInvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"))
				return
			}
		}
		if err := rq.s.store.updateConfig(rq.bucket, func(c *bucketConfig) { c.Encryption = &in }); err != nil {
			rq.fail(err)
			return
		}
		rq.w.WriteHeader(http.StatusOK)
	default:
		rq.fail(errNotImplemented()) // DeleteBucketEncryption is not emulated
	}
}

// publicAccessBlock is a bucket's public access block
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html); a setting left out
// is false.
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration" json:"-"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty" json:"-"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls" json:"blockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls" json:"ignorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy" json:"blockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets" json:"restrictPublicBuckets"`
}

// publicAccess serves GetPublicAccessBlock and PutPublicAccessBlock. A bucket without its own setting
// answers all four on, as S3 sets them on every new bucket since April 2023
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
func (rq *request) publicAccess() {
	switch rq.r.Method {
	case http.MethodGet:
		cfg, err := rq.s.store.config(rq.bucket)
		if err != nil {
			rq.fail(err)
			return
		}
		out := publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		if cfg.PublicAccessBlock != nil {
			out = *cfg.PublicAccessBlock
		}
		out.Xmlns = xmlns
		rq.writeXML(http.StatusOK, out)
	case http.MethodPut:
		var in publicAccessBlock
		if !rq.readSetting(&in) {
			return
		}
		if err := rq.s.store.updateConfig(rq.bucket, func(c *bucketConfig) { c.PublicAccessBlock = &in }); err != nil {
			rq.fail(err)
			return
		}
		rq.w.WriteHeader(http.StatusOK)
	default:
		rq.fail(errNotImplemented()) // DeletePublicAccessBlock is not emulated
	}
}

// readSetting reads a bucket setting's XML document into v, answering the request itself when the bucket
// does not exist or the document does not parse.
func (rq *request) readSetting(v any) bool {
	if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return false
	}
	raw, err := io.ReadAll(io.LimitReader(rq.r.Body, 1<<20))
	if err != nil {
		rq.fail(errIncompleteBody())
		return false
	}
	if err := xml.Unmarshal(raw, v); err != nil {
		rq.fail(errMalformedXML())
		return false
	}
	return true
}
