package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/sluicehq/sluice/internal/service"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// awsTarget is where deploy, destroy and run --stack/--endpoint send their requests: AWS itself, with the
// SDK's default configuration (credential chain, region, AWS_ENDPOINT_URL), or an endpoint such as the
// local stack's. The same code talks to both; only the clients' endpoint differs.
type awsTarget struct {
	cfg aws.Config
	// endpoint is the base URL of every service, "" for AWS's own endpoints.
	endpoint string
}

// localCredentials are what a loopback endpoint gets when the default chain finds none: the local stack
// checks no signatures.
var localCredentials = credentials.NewStaticCredentialsProvider("local", "local", "")

// loadTarget loads the AWS configuration for endpoint ("" for AWS) and region ("" for the configured one).
// A loopback endpoint needs no AWS account: it defaults to the local stack's region and, when the default
// chain has no credentials, to placeholder ones.
func loadTarget(ctx context.Context, endpoint, region string) (awsTarget, error) {
	// The SDK's own warnings (such as its instance metadata fallback) are not the user's business here.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return awsTarget{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if endpoint == "" {
		endpoint = aws.ToString(cfg.BaseEndpoint) // AWS_ENDPOINT_URL
	}
	checked := false
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return awsTarget{}, fmt.Errorf("%w: --endpoint %q is not a URL such as http://127.0.0.1:4566", errUsage, endpoint)
		}
		if isLoopback(u.Hostname()) {
			if cfg.Region == "" {
				cfg.Region = service.DefaultRegion
			}
			if !hasCredentials(ctx, cfg) {
				cfg.Credentials = localCredentials
			}
			checked = true
		}
	}
	if !checked && !hasCredentials(ctx, cfg) {
		// Before anything is built or uploaded: the default chain found nothing.
		return awsTarget{}, fmt.Errorf("no AWS credentials: set AWS_PROFILE, run aws configure or aws sso login, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if cfg.Region == "" {
		return awsTarget{}, fmt.Errorf("%w: no AWS region: pass --region, or set AWS_REGION or a profile's region", errUsage)
	}
	return awsTarget{cfg: cfg, endpoint: endpoint}, nil
}

// hasCredentials reports whether the default chain finds credentials (without waiting long for an
// instance metadata service that is not there).
func hasCredentials(ctx context.Context, cfg aws.Config) bool {
	if cfg.Credentials == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := cfg.Credentials.Retrieve(ctx)
	return err == nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (t awsTarget) local() bool {
	u, err := url.Parse(t.endpoint)
	return t.endpoint != "" && err == nil && isLoopback(u.Hostname())
}

func (t awsTarget) cloudFormation() *cloudformation.Client {
	return cloudformation.NewFromConfig(t.cfg, func(o *cloudformation.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
}

func (t awsTarget) s3() *s3.Client {
	return s3.NewFromConfig(t.cfg, func(o *s3.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
			o.UsePathStyle = true // an endpoint such as 127.0.0.1 has no bucket subdomains
		}
	})
}

func (t awsTarget) sts() *sts.Client {
	return sts.NewFromConfig(t.cfg, func(o *sts.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
}

func (t awsTarget) logs() *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(t.cfg, func(o *cloudwatchlogs.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
}

func (t awsTarget) sfn() *sfn.Client {
	return sfn.NewFromConfig(t.cfg, func(o *sfn.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
			o.APIOptions = append(o.APIOptions, localsfn.DisableHostPrefix)
		}
	})
}
