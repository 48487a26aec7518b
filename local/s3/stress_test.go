package s3_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/s3"
)

// Concurrent puts, gets, lists, copies and deletes on overlapping keys, with online journal
// compaction forced often, under -race: every read sees a whole object, and a restart sees
// the same final state.
func TestConcurrentMixedLoad(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir, s3.WithJournalLimit(8<<10), s3.WithPublisher(discardPublisher{}))
	e.bucket(t, "mix", true, true)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				key := fmt.Sprintf("k%d", (w+i)%5)
				body := strings.Repeat(fmt.Sprintf("%d-%d;", w, i), 10)
				switch i % 5 {
				case 0, 1:
					if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("mix"), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
						t.Error(err)
					}
				case 2:
					out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("mix"), Key: aws.String(key)})
					if err == nil {
						b, _ := io.ReadAll(out.Body)
						out.Body.Close()
						if len(b)%10 != 0 || (len(b) > 0 && !strings.HasSuffix(string(b), ";")) {
							t.Errorf("torn read of %s: %q", key, b)
						}
					} else if code := apiCode(err); code != "NoSuchKey" {
						t.Error(err)
					}
				case 3:
					if _, err := e.client.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String("mix")}); err != nil {
						t.Error(err)
					}
				case 4:
					if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("mix"), Key: aws.String(key)}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := e.srv.WaitForEvents(ctx); err != nil {
		t.Fatal(err)
	}
	list := func(c *awss3.Client) []string {
		out, err := c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String("mix")})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range out.Versions {
			ids = append(ids, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
		}
		for _, m := range out.DeleteMarkers {
			ids = append(ids, aws.ToString(m.Key)+"@"+aws.ToString(m.VersionId)+"(marker)")
		}
		return ids
	}
	before := list(e.client)
	e.close()
	e2 := newEnv(t, dir)
	after := list(e2.client)
	if strings.Join(before, ",") != strings.Join(after, ",") {
		t.Errorf("versions differ after restart:\nbefore %v\nafter  %v", before, after)
	}
}
