package s3

import (
	"encoding/xml"
	"io"
	"net/http"
)

// notificationConfiguration is the bucket notification document
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html).
// Only the EventBridge destination is emulated.
type notificationConfiguration struct {
	XMLName     xml.Name   `xml:"NotificationConfiguration"`
	Xmlns       string     `xml:"xmlns,attr,omitempty"`
	EventBridge *struct{}  `xml:"EventBridgeConfiguration"`
	Topics      []xml.Name `xml:"TopicConfiguration"`
	Queues      []xml.Name `xml:"QueueConfiguration"`
	Functions   []xml.Name `xml:"CloudFunctionConfiguration"`
}

// notification serves Get/PutBucketNotificationConfiguration.
func (rq *request) notification() {
	switch rq.r.Method {
	case http.MethodGet:
		cfg, err := rq.s.store.config(rq.bucket)
		if err != nil {
			rq.fail(err)
			return
		}
		out := notificationConfiguration{Xmlns: xmlns}
		if cfg.EventBridge {
			out.EventBridge = &struct{}{}
		}
		rq.writeXML(http.StatusOK, out)
	case http.MethodPut:
		if _, err := rq.s.store.bucket(rq.bucket); err != nil {
			rq.fail(err)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(rq.r.Body, 1<<20))
		if err != nil {
			rq.fail(errIncompleteBody())
			return
		}
		var in notificationConfiguration
		if err := xml.Unmarshal(raw, &in); err != nil {
			rq.fail(errMalformedXML())
			return
		}
		if len(in.Topics)+len(in.Queues)+len(in.Functions) > 0 {
			rq.fail(errNotImplemented())
			return
		}
		if err := rq.s.SetEventBridge(rq.bucket, in.EventBridge != nil); err != nil {
			rq.fail(err)
			return
		}
		rq.w.WriteHeader(http.StatusOK)
	default:
		rq.fail(&apiError{"MethodNotAllowed", "The specified method is not allowed against this resource."})
	}
}
