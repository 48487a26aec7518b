package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/store"
)

// Recovery is what the stack found damaged in its data directory when it started, and what it does about
// it. When Step Functions lost records, executions may be gone with the objects they were working on: the
// stack re-drives every object under incoming/ of the pipeline bucket that has no outcome (see
// store.FindOutcome) and no running execution, by publishing its "Object Created" event again, once the
// events and deliveries pending at start have gone out. A marker file (redrive.pending) keeps the pass due
// until it has completed, across restarts.
type Recovery struct {
	StepFunctions localsfn.Loss
	// Redrive is set when a re-drive pass runs (or is left over from an earlier start).
	Redrive bool
}

// ObjectRecovery is what a re-drive pass did.
type ObjectRecovery struct {
	Checked  int      // objects under incoming/ written before the stack started
	Redriven []string // keys whose event was published again
	// Unstaged are staging objects of executions that no longer exist, removed: a lost execution never
	// reaches the Store task that would remove them.
	Unstaged []string
}

const redriveMarker = "redrive.pending"

// Recovery reports what the stack found damaged when it started.
func (st *Stack) Recovery() Recovery { return st.recovery }

// WaitObjectRecovery waits for the re-drive pass started with the stack, if any, and returns what it did.
func (st *Stack) WaitObjectRecovery(ctx context.Context) (ObjectRecovery, error) {
	select {
	case <-st.redriveDone:
		return st.objectRecovery, st.redriveErr
	case <-ctx.Done():
		return ObjectRecovery{}, ctx.Err()
	}
}

// startRedrive starts the re-drive pass when Step Functions reported a loss, or an earlier pass did not
// complete. Objects written from started on are left alone: their events are new, not lost.
func (st *Stack) startRedrive(ctx context.Context, started time.Time) error {
	st.redriveDone = make(chan struct{})
	st.recovery.StepFunctions = st.SFN.Loss()
	marker := st.dir(redriveMarker)
	_, err := os.Stat(marker)
	leftOver := err == nil
	if !leftOver && !st.recovery.StepFunctions.Lost() {
		close(st.redriveDone)
		return nil
	}
	st.recovery.Redrive = true
	if !leftOver {
		if err := writeMarker(marker, started); err != nil {
			close(st.redriveDone)
			return err
		}
	}
	st.cfg.Logger.Warn("Step Functions lost records: re-driving objects that have no outcome and no running execution",
		"loss", fmt.Sprintf("%+v", st.recovery.StepFunctions))
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		defer close(st.redriveDone)
		st.objectRecovery, st.redriveErr = st.redrive(ctx, started)
		if st.redriveErr != nil {
			st.cfg.Logger.Error("re-drive did not complete; it runs again at the next start", "err", st.redriveErr)
			return
		}
		st.cfg.Logger.Warn("re-drive complete", "checked", st.objectRecovery.Checked, "redriven", len(st.objectRecovery.Redriven))
		if err := os.Remove(marker); err != nil {
			st.cfg.Logger.Error("remove re-drive marker", "err", err)
		}
	}()
	return nil
}

// writeMarker creates the marker durably.
func writeMarker(path string, started time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write re-drive marker: %w", err)
	}
	_, err = fmt.Fprintf(f, "re-drive of objects without an outcome, due since %s\n", started.UTC().Format(time.RFC3339))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var d *os.File
		if d, err = os.Open(filepath.Dir(path)); err == nil {
			err = d.Sync()
			d.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("write re-drive marker: %w", err)
	}
	return nil
}

// redrive publishes again the "Object Created" event of every object under incoming/ written before cutoff
// that has neither an outcome nor a running execution.
func (st *Stack) redrive(ctx context.Context, cutoff time.Time) (ObjectRecovery, error) {
	var res ObjectRecovery
	// Events S3 had not published, and deliveries EventBridge had not made, when the stack started are
	// not lost: let them start their executions first.
	if err := st.S3.WaitForEvents(ctx); err != nil {
		return res, err
	}
	for st.Events.Pending() > 0 {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	// The objects running executions work on, taken before outcomes are looked at: an execution that ends
	// in between has written its outcome by then.
	live := map[string]bool{}
	for _, input := range st.SFN.Running() {
		var ev struct {
			Detail struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
				Object tasks.S3Object `json:"object"`
			} `json:"detail"`
		}
		if json.Unmarshal([]byte(input), &ev) == nil && ev.Detail.Object.Key != "" {
			live[ev.Detail.Bucket.Name+"/"+ev.Detail.Object.Key] = true
		}
	}
	bucket := st.Resources().Bucket
	if bucket == "" {
		return res, nil
	}
	client := (&s3Clients{m: map[s3ClientKey]*s3.Client{}}).get(st.url, st.inProcess)
	var token *string
	for {
		page, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(tasks.PrefixIncoming), ContinuationToken: token})
		if err != nil {
			return res, fmt.Errorf("list %s: %w", tasks.PrefixIncoming, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") || live[bucket+"/"+key] || !st.writtenBefore(bucket, key, cutoff) {
				continue
			}
			res.Checked++
			src := tasks.ObjectRef{Bucket: bucket, Key: key, ETag: strings.Trim(aws.ToString(o.ETag), `"`)}
			outcome, err := store.FindOutcome(ctx, client, src)
			if err != nil {
				return res, fmt.Errorf("outcome of %s: %w", key, err)
			}
			if outcome != "" {
				continue
			}
			ev, err := st.S3.CreatedEvent(bucket, key)
			if err != nil {
				if errors.Is(ctx.Err(), context.Canceled) {
					return res, ctx.Err()
				}
				st.cfg.Logger.Warn("re-drive: object gone", "key", key, "err", err)
				continue
			}
			if err := st.Events.PublishEvent(ctx, ev); err != nil {
				return res, fmt.Errorf("re-drive %s: %w", key, err)
			}
			st.cfg.Logger.Warn("re-drive: object had no outcome; its event is published again", "key", key)
			res.Redriven = append(res.Redriven, key)
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		token = page.NextContinuationToken
	}
	return res, st.unstage(ctx, client, bucket, cutoff, &res)
}

// unstage removes the staging objects, written before cutoff, of executions of the pipeline's state
// machine that do not exist (staging/<execution-name>/...; see tasks.StagingKey).
func (st *Stack) unstage(ctx context.Context, client *s3.Client, bucket string, cutoff time.Time, res *ObjectRecovery) error {
	machine := st.Resources().StateMachineArn
	i := strings.LastIndex(machine, ":stateMachine:")
	if i < 0 {
		return nil
	}
	executionPrefix := machine[:i] + ":execution:" + machine[i+len(":stateMachine:"):] + ":"
	var token *string
	for {
		page, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(tasks.PrefixStaging), ContinuationToken: token})
		if err != nil {
			return fmt.Errorf("list %s: %w", tasks.PrefixStaging, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			name, _, ok := strings.Cut(strings.TrimPrefix(key, tasks.PrefixStaging), "/")
			if !ok || st.SFN.Exists(executionPrefix+name) || !st.writtenBefore(bucket, key, cutoff) {
				continue
			}
			if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				return fmt.Errorf("remove %s: %w", key, err)
			}
			res.Unstaged = append(res.Unstaged, key)
		}
		if !aws.ToBool(page.IsTruncated) {
			return nil
		}
		token = page.NextContinuationToken
	}
}

// writtenBefore reports whether an object's current version was written before cutoff, by the time S3
// keeps for it. Not by the listing's LastModified: that is rounded (to the millisecond here, to the second
// in AWS), and the start of a stack that crashed within a second of a burst falls in the same second as
// the burst's last objects, whose executions are the ones most likely lost. An object gone meanwhile is
// left alone.
func (st *Stack) writtenBefore(bucket, key string, cutoff time.Time) bool {
	before, err := st.S3.WrittenBefore(bucket, key, cutoff)
	return err == nil && before
}
