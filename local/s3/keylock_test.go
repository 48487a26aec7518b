package s3_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/s3"
)

// Racing conditional writes to one key are linearisable: of N writers with If-None-Match: *
// on a new key, or If-Match on the same current ETag, exactly one succeeds and the others get
// 412 PreconditionFailed, and the object holds the winner's bytes
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). Several
// keys race at once, so writes to other keys overlap with each race.
func TestConditionalPutRace(t *testing.T) {
	const writers, keys = 12, 4
	for _, versioned := range []bool{false, true} {
		for _, cond := range []string{"if-none-match", "if-match"} {
			t.Run(fmt.Sprintf("%s/versioned=%v", cond, versioned), func(t *testing.T) {
				e := newEnv(t, t.TempDir())
				e.bucket(t, "race", versioned, true)
				ctx := context.Background()
				etags := map[string]string{}
				if cond == "if-match" {
					for k := range keys {
						key := fmt.Sprintf("k%d", k)
						etags[key] = aws.ToString(e.put(t, "race", key, "original").ETag)
					}
				}
				var mu sync.Mutex
				won := map[string][]string{} // key -> bodies of the writers that succeeded
				var wg sync.WaitGroup
				for k := range keys {
					for w := range writers {
						key, body := fmt.Sprintf("k%d", k), fmt.Sprintf("writer %d of k%d", w, k)
						wg.Go(func() {
							in := &awss3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String(key), Body: strings.NewReader(body)}
							if cond == "if-match" {
								in.IfMatch = aws.String(etags[key])
							} else {
								in.IfNoneMatch = aws.String("*")
							}
							_, err := e.client.PutObject(ctx, in)
							if code := apiCode(err); code != "" && code != "PreconditionFailed" {
								t.Errorf("put %s: got %v, want success or PreconditionFailed", key, err)
								return
							}
							if err == nil {
								mu.Lock()
								won[key] = append(won[key], body)
								mu.Unlock()
							}
						})
					}
				}
				wg.Wait()
				for k := range keys {
					key := fmt.Sprintf("k%d", k)
					if len(won[key]) != 1 {
						t.Errorf("%s: %d writers succeeded, want exactly 1: %q", key, len(won[key]), won[key])
						continue
					}
					if got := e.get(t, "race", key); got != won[key][0] {
						t.Errorf("%s: got %q, want the winner's %q", key, got, won[key][0])
					}
				}
			})
		}
	}
}

// logPublisher records every published event in order.
type logPublisher struct {
	mu     sync.Mutex
	events []s3.Event
}

func (p *logPublisher) Publish(_ context.Context, raw []byte) error {
	var ev s3.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	p.mu.Lock()
	p.events = append(p.events, ev)
	p.mu.Unlock()
	return nil
}

// Writes to different keys overlap; with online journal compaction forced often, every
// acknowledged write is there, before and after a restart, each change publishes exactly one
// event, and each key's events are published in sequencer order
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html:
// S3 orders the events of one key by sequencer, not events across keys).
func TestConcurrentKeysEventsAndRestart(t *testing.T) {
	const workers, rounds = 8, 20
	dir := t.TempDir()
	pub := &logPublisher{}
	e := newEnv(t, dir, s3.WithJournalLimit(8<<10), s3.WithPublisher(pub))
	e.bucket(t, "keys", false, true)
	ctx := context.Background()
	want := map[string]string{} // key -> body; keys are owned by one worker each
	var mu sync.Mutex
	changes := make([]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				key := fmt.Sprintf("w%d/k%d", w, i%3)
				if i%4 == 3 {
					if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("keys"), Key: aws.String(key)}); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if _, ok := want[key]; ok {
						changes[w]++ // deleting a missing key changes nothing and sends no event
					}
					delete(want, key)
					mu.Unlock()
					continue
				}
				body := fmt.Sprintf("%d-%d", w, i)
				if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("keys"), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[key] = body
				changes[w]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := e.srv.WaitForEvents(ctx); err != nil {
		t.Fatal(err)
	}
	contents := func(env *env) map[string]string {
		out, err := env.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("keys")})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, o := range out.Contents {
			got[aws.ToString(o.Key)] = env.get(t, "keys", aws.ToString(o.Key))
		}
		return got
	}
	if diff := cmp.Diff(contents(e), want); diff != "" {
		t.Errorf("objects (-got +want):\n%s", diff)
	}
	pub.mu.Lock()
	events := append([]s3.Event(nil), pub.events...)
	pub.mu.Unlock()
	total := 0
	for _, n := range changes {
		total += n
	}
	if len(events) != total {
		t.Errorf("events: got %d, want one per change, %d", len(events), total)
	}
	last := map[string]string{}
	for _, ev := range events {
		key, seq := ev.Detail.Object.Key, ev.Detail.Object.Sequencer
		if prev, ok := last[key]; ok && !sequencerLess(prev, seq) {
			t.Errorf("%s: event with sequencer %s published after %s", key, seq, prev)
		}
		last[key] = seq
	}
	e.close()
	again := newEnv(t, dir)
	if diff := cmp.Diff(contents(again), want); diff != "" {
		t.Errorf("objects after restart (-got +want):\n%s", diff)
	}
}

// sequencerLess compares two sequencers as S3 says to: the shorter padded with leading
// zeros, then as strings.
func sequencerLess(a, b string) bool {
	n := max(len(a), len(b))
	return strings.Repeat("0", n-len(a))+a < strings.Repeat("0", n-len(b))+b
}
