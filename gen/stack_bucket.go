package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/s3"

	"github.com/sluicehq/sluice/tasks"
)

// accessLogPrefix is where the pipeline bucket's server access logs go in the access-log bucket.
const accessLogPrefix = "pipeline-bucket/"

// addBucket adds the pipeline bucket, its TLS-only policy, and the bucket receiving its server access
// logs. Best practices followed: https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
func addBucket(t *cloudformation.Template, c Config) {
	t.Resources[LogicalBucket] = &s3.Bucket{
		BucketEncryption:               sseS3(),
		PublicAccessBlockConfiguration: blockPublicAccess(),
		OwnershipControls:              ownerEnforced(),
		// Versioning keeps every version an event names readable until it is processed, and lets the
		// tasks read exactly that version.
		VersioningConfiguration: &s3.Bucket_VersioningConfiguration{Status: "Enabled"},
		LifecycleConfiguration: &s3.Bucket_LifecycleConfiguration{Rules: []s3.Bucket_Rule{
			{
				Id:                          new("ExpireNoncurrentVersions"),
				Status:                      "Enabled",
				NoncurrentVersionExpiration: &s3.Bucket_NoncurrentVersionExpiration{NoncurrentDays: c.NoncurrentVersionDays},
				ExpiredObjectDeleteMarker:   new(true),
			},
			{
				Id:                             new("AbortIncompleteMultipartUploads"),
				Status:                         "Enabled",
				AbortIncompleteMultipartUpload: &s3.Bucket_AbortIncompleteMultipartUpload{DaysAfterInitiation: c.IncompleteUploadDays},
			},
			{
				// A committed execution deletes its staging object; a failed one leaves it behind.
				Id:               new("ExpireStaging"),
				Status:           "Enabled",
				Prefix:           new(tasks.PrefixStaging),
				ExpirationInDays: new(c.StagingExpirationDays),
			},
		}},
		// S3 sends every event of the bucket to EventBridge's default bus; the rule selects.
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
		NotificationConfiguration: &s3.Bucket_NotificationConfiguration{
			EventBridgeConfiguration: &s3.Bucket_EventBridgeConfiguration{EventBridgeEnabled: true},
		},
		LoggingConfiguration: &s3.Bucket_LoggingConfiguration{
			DestinationBucketName: cloudformation.RefPtr(LogicalAccessLogBucket),
			LogFilePrefix:         new(accessLogPrefix),
		},
		AWSCloudFormationDeletionPolicy:      retain,
		AWSCloudFormationUpdateReplacePolicy: retainOnReplace,
	}
	t.Resources[LogicalBucketPolicy] = &s3.BucketPolicy{
		Bucket: cloudformation.Ref(LogicalBucket),
		PolicyDocument: policy(denyInsecureTransport("s3:*",
			cloudformation.GetAtt(LogicalBucket, "Arn"),
			arn("s3:::${"+LogicalBucket+"}/*"),
		)),
	}

	t.Resources[LogicalAccessLogBucket] = &s3.Bucket{
		BucketEncryption:               sseS3(),
		PublicAccessBlockConfiguration: blockPublicAccess(),
		OwnershipControls:              ownerEnforced(),
		LifecycleConfiguration: &s3.Bucket_LifecycleConfiguration{Rules: []s3.Bucket_Rule{{
			Id:               new("ExpireAccessLogs"),
			Status:           "Enabled",
			ExpirationInDays: new(c.AccessLogRetentionDays),
		}}},
		AWSCloudFormationDeletionPolicy:      retain,
		AWSCloudFormationUpdateReplacePolicy: retainOnReplace,
	}
	// With BucketOwnerEnforced, S3 delivers access logs under a bucket policy granting the logging service
	// principal, not an ACL.
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
	t.Resources[LogicalAccessLogBucketPolicy] = &s3.BucketPolicy{
		Bucket: cloudformation.Ref(LogicalAccessLogBucket),
		PolicyDocument: policy(
			statement{
				Sid:       "S3ServerAccessLogs",
				Effect:    "Allow",
				Principal: servicePrincipal("logging.s3.amazonaws.com"),
				Action:    []string{"s3:PutObject"},
				Resource:  []string{arn("s3:::${" + LogicalAccessLogBucket + "}/" + accessLogPrefix + "*")},
				Condition: conditions{
					"ArnLike":      {"aws:SourceArn": cloudformation.GetAtt(LogicalBucket, "Arn")},
					"StringEquals": {"aws:SourceAccount": cloudformation.Ref("AWS::AccountId")},
				},
			},
			denyInsecureTransport("s3:*",
				cloudformation.GetAtt(LogicalAccessLogBucket, "Arn"),
				arn("s3:::${"+LogicalAccessLogBucket+"}/*"),
			),
		),
	}
}

func sseS3() *s3.Bucket_BucketEncryption {
	return &s3.Bucket_BucketEncryption{ServerSideEncryptionConfiguration: []s3.Bucket_ServerSideEncryptionRule{{
		ServerSideEncryptionByDefault: &s3.Bucket_ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"},
	}}}
}

func blockPublicAccess() *s3.Bucket_PublicAccessBlockConfiguration {
	return &s3.Bucket_PublicAccessBlockConfiguration{
		BlockPublicAcls:       new(true),
		BlockPublicPolicy:     new(true),
		IgnorePublicAcls:      new(true),
		RestrictPublicBuckets: new(true),
	}
}

// ownerEnforced disables ACLs: the bucket owner owns every object.
func ownerEnforced() *s3.Bucket_OwnershipControls {
	return &s3.Bucket_OwnershipControls{Rules: []s3.Bucket_OwnershipControlsRule{{ObjectOwnership: new("BucketOwnerEnforced")}}}
}
