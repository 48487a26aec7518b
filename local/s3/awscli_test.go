package s3_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The AWS CLI works against the server with only an endpoint override; run it when installed.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds per call")
	}
	e := newEnv(t, t.TempDir())
	e.bucket(t, "cli", false, true)
	dir := t.TempDir()
	src := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(src, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", e.http.URL, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=id", "AWS_SECRET_ACCESS_KEY=secret", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("s3", "cp", src, "s3://cli/incoming/in.csv")
	if got := e.pub.next(t).Detail.Object.Key; got != "incoming/in.csv" {
		t.Errorf("event key = %q", got)
	}
	run("s3api", "put-object", "--bucket", "cli", "--key", "second.csv", "--body", src, "--if-none-match", "*")
	if out := run("s3", "ls", "s3://cli/", "--recursive"); !strings.Contains(out, "incoming/in.csv") || !strings.Contains(out, "second.csv") {
		t.Errorf("s3 ls:\n%s", out)
	}
	dst := filepath.Join(dir, "out.csv")
	run("s3", "cp", "s3://cli/incoming/in.csv", dst)
	if got, _ := os.ReadFile(dst); string(got) != "a,b\n1,2\n" {
		t.Errorf("downloaded %q", got)
	}
}
