package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
)

// QuarantineReport is written beside a quarantined object, as <object>.report.json: why it was rejected.
type QuarantineReport struct {
	Source      tasks.ObjectRef `json:"source"`
	Execution   string          `json:"execution"`
	Quarantined time.Time       `json:"quarantined"`
	Report      tasks.Report    `json:"report"`
}

// quarantine copies the rejected source version aside and writes its report next to it. Copy first, report
// second: a report never describes a copy that is not there, and a re-run overwrites both with the same
// content.
func (h *Handler) quarantine(ctx context.Context, in tasks.StoreInput) (tasks.StoreOutput, error) {
	out := tasks.StoreOutput{Action: tasks.ActionQuarantine}
	if in.Bucket == "" || in.Object.Key == "" || in.Object.ETag == "" {
		return out, &tasks.InvalidInvocationError{Reason: "bucket, object key and etag are required"}
	}
	// Any key the rule delivers can be rejected, a key with no dataset folder included.
	dataset, name := rejectedSource(in.Object.Key)
	if in.Report == nil {
		return out, &tasks.InvalidInvocationError{Reason: "quarantine needs the validation report"}
	}
	src := in.Source()
	objectKey, reportKey := quarantineKeys(dataset, name)
	out.Key = objectKey
	_, _, err := h.copyObject(ctx, src, &s3.CopyObjectInput{
		Bucket:            aws.String(in.Bucket),
		Key:               aws.String(objectKey),
		CopySource:        aws.String(copySource(src)),
		CopySourceIfMatch: aws.String(tasks.QuoteETag(src.ETag)),
	})
	if err != nil {
		return out, tasks.ClassifyObject("copy "+src.Key+" to "+objectKey, src, err)
	}
	body, err := encodeJSON(QuarantineReport{Source: src, Execution: in.Execution, Quarantined: h.now().UTC(), Report: *in.Report})
	if err != nil {
		return out, err
	}
	if err := h.putJSON(ctx, in.Bucket, reportKey, body, false); err != nil {
		return out, tasks.ClassifyObject("put "+reportKey, tasks.ObjectRef{Bucket: in.Bucket, Key: reportKey}, err)
	}
	out.Outcome = OutcomeQuarantined
	return out, nil
}
