package s3_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/s3"
)

// printPublisher prints the detail-type, reason and key of each event.
type printPublisher struct{ done chan struct{} }

func (p printPublisher) Publish(_ context.Context, raw []byte) error {
	var ev s3.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	fmt.Println(ev.DetailType, ev.Detail.Reason, ev.Detail.Object.Key)
	close(p.done)
	return nil
}

func Example() {
	dir, _ := os.MkdirTemp("", "s3example")
	defer os.RemoveAll(dir)
	pub := printPublisher{done: make(chan struct{})}
	srv, err := s3.New(s3.WithDataDir(dir), s3.WithPublisher(pub))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	_ = srv.CreateBucket("pipeline")
	_ = srv.SetEventBridge("pipeline", true)

	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
	_, err = client.PutObject(context.Background(), &awss3.PutObjectInput{
		Bucket: aws.String("pipeline"), Key: aws.String("incoming/sales/day 1.csv"), Body: strings.NewReader("a,b\n1,2\n")})
	if err != nil {
		panic(err)
	}
	<-pub.done
	// Output: Object Created PutObject incoming/sales/day 1.csv
}
