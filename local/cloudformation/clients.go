package cloudformation

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// clients are the SDK clients of the endpoint that resources are provisioned through: the services'
// public APIs, as CloudFormation's resource handlers call them, never a service's Go methods. A
// property a service rejects fails the resource with the error a user's own call would get.
type clients struct {
	logs   *cloudwatchlogs.Client
	s3     *s3.Client
	sfn    *sfn.Client
	events *eventbridge.Client
}

func newClients(endpoint, region string) *clients {
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	return &clients{
		logs: cloudwatchlogs.New(cloudwatchlogs.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: creds}),
		s3: s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: creds, UsePathStyle: true,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}),
		sfn:    sfn.New(sfn.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: creds}),
		events: eventbridge.New(eventbridge.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: creds}),
	}
}
