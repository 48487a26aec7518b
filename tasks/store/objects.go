package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// encodeJSON is the form of every JSON document the store writes: indented, newline-terminated.
func encodeJSON(v any) ([]byte, error) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return append(body, '\n'), nil
}

// putJSON writes a JSON document. With createOnly the write is conditional on the key not existing
// (If-None-Match "*"). The S3 error is returned as is, for the caller to classify.
func (h *Handler) putJSON(ctx context.Context, bucket, key string, body []byte, createOnly bool) error {
	in := &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	}
	if createOnly {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := h.s3.PutObject(ctx, in)
	return err
}
