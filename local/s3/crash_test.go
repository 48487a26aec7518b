package s3_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/s3"
)

// blockingPublisher never delivers, so every event stays pending.
type blockingPublisher struct{}

func (blockingPublisher) Publish(ctx context.Context, _ []byte) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestCrashChild is the server process that TestKill9 kills; it does nothing on its own.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("SLUICE_S3_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestKill9")
	}
	srv, err := s3.New(s3.WithDataDir(dir), s3.WithPublisher(blockingPublisher{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateBucket("crash"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetEventBridge("crash", true); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("LISTENING %s\n", ln.Addr())
	_ = http.Serve(ln, srv) // until killed
}

// TestKill9 kills the server process with SIGKILL in the middle of a burst of writes: every
// write it acknowledged is there after a restart, and its event is published.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SLUICE_S3_CRASH_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var addr string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatal("child did not start")
	}
	go func() { // keep draining the child's output
		for sc.Scan() {
		}
	}()
	client := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", ""), RetryMaxAttempts: 1})
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	const writers, perWriter, killAfter = 8, 100, 200
	killOnce := sync.OnceFunc(func() { cmd.Process.Kill() })
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				key := fmt.Sprintf("obj-%d-%d", w, i)
				_, err := client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(key), Body: strings.NewReader(key)})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked = append(acked, key)
				n := len(acked)
				mu.Unlock()
				if n == killAfter {
					killOnce()
				}
			}
		}()
	}
	wg.Wait()
	killOnce()
	cmd.Wait()

	e := newEnv(t, dir)
	for _, key := range acked {
		if got := e.get(t, "crash", key); got != key {
			t.Errorf("%s = %q after the crash", key, got)
		}
	}
	// Writes committed but not acknowledged before the kill may publish too; every
	// acknowledged one must (next fails the test if an event never comes).
	published := map[string]bool{}
	for _, key := range acked {
		for !published[key] {
			published[e.pub.next(t).Detail.Object.Key] = true
		}
	}
	t.Logf("%d writes acknowledged before the kill, all present with their events", len(acked))
}
