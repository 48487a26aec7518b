package deployer

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// Deployer deploys and destroys stacks through its clients. The zero values of Poll and Now are 2 s and
// time.Now; Out and Log may be io.Discard, not nil.
type Deployer struct {
	CFN CloudFormation
	S3  S3
	STS STS
	// Region is the clients' region: a created artifact bucket is made there and named after it.
	Region string
	// Endpoint is the base URL the clients send to, "" for AWS's own endpoints. The template's URL, which
	// CloudFormation reads the template from, is built for it.
	Endpoint string
	// Out receives what the user asked for (the change set, the outputs), Log the progress (uploads,
	// waits, stack events).
	Out, Log io.Writer
	// Poll is the wait between two reads of a change set's or a stack's status.
	Poll time.Duration
	// Now is the clock of the change set names and the event times.
	Now func() time.Time
}

// Errors a deploy or a destroy can end with; the returned error wraps one of them (errors.Is).
var (
	// ErrBucketForbidden: the artifact bucket exists but is someone else's or may not be used (HeadBucket
	// answered 403, or CreateBucket BucketAlreadyExists).
	ErrBucketForbidden = errors.New("artifact bucket not usable")
	// ErrStackBusy: the stack is in a status that takes no change set (an operation in progress, or a
	// failed create that can only be deleted).
	ErrStackBusy = errors.New("stack cannot be changed now")
	// ErrChangeSetFailed: CloudFormation could not make the change set (other than for having no changes).
	ErrChangeSetFailed = errors.New("change set failed")
	// ErrStackFailed: the stack operation ended in a status other than the one asked for.
	ErrStackFailed = errors.New("stack operation failed")
	// ErrNoStack: the stack does not exist.
	ErrNoStack = errors.New("no such stack")
)

func (d *Deployer) poll() time.Duration {
	if d.Poll > 0 {
		return d.Poll
	}
	return 2 * time.Second
}

func (d *Deployer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// stackMissing reports whether err is CloudFormation's answer for a stack that does not exist: a
// ValidationError "Stack with id NAME does not exist"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
func stackMissing(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}
