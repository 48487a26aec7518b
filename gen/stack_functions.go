package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/logs"

	"github.com/sluicehq/sluice/tasks"
)

// Access is what one function may do in the pipeline bucket, as key prefixes (tasks.Prefix*).
type Access struct {
	Read   []string // s3:GetObject, s3:GetObjectVersion
	Write  []string // s3:PutObject, s3:AbortMultipartUpload
	Delete []string // s3:DeleteObject, s3:DeleteObjectVersion
	// ReadTags and WriteTags are the prefixes whose objects' tags a CopyObject reads (the source) and
	// writes (the destination): CopyObject copies the source's tags by default (tagging directive COPY),
	// which needs s3:GetObjectTagging and s3:GetObjectVersionTagging on the source and
	// s3:PutObjectTagging on the destination when the source has tags
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, "Permissions").
	ReadTags  []string // s3:GetObjectTagging, s3:GetObjectVersionTagging
	WriteTags []string // s3:PutObjectTagging
}

// BucketAccess returns each function's least-privilege access to the pipeline bucket, by function name.
// A function reads what it consumes and writes only its own prefixes:
//   - validate reads the object and its schema;
//   - process reads them too and writes its output under staging/;
//   - store reads the staged output, the source object (to quarantine it), existing manifests (a
//     duplicate execution) and the metadata of processed/ objects (to never replace a later source
//     version's output), writes processed/, manifests/, quarantine/ and failed/, and deletes the staged
//     output: the exact version first in a versioned bucket, which needs s3:DeleteObjectVersion
//     (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html#API_DeleteObject_Permissions);
//     the quarantine copy keeps a tagged upload's tags (the uploader's classification, and any lifecycle
//     or access rule keyed on them, follow the object), so store reads the tags under incoming/ and
//     writes them under quarantine/. Staged outputs carry no tags, so committing them needs neither.
func BucketAccess() map[string]Access {
	return map[string]Access{
		"validate": {
			Read: []string{tasks.PrefixIncoming, tasks.PrefixSchemas},
		},
		"process": {
			Read:  []string{tasks.PrefixIncoming, tasks.PrefixSchemas},
			Write: []string{tasks.PrefixStaging},
		},
		"store": {
			Read:      []string{tasks.PrefixIncoming, tasks.PrefixStaging, tasks.PrefixManifests, tasks.PrefixProcessed},
			Write:     []string{tasks.PrefixProcessed, tasks.PrefixManifests, tasks.PrefixQuarantine, tasks.PrefixFailed},
			Delete:    []string{tasks.PrefixStaging},
			ReadTags:  []string{tasks.PrefixIncoming},
			WriteTags: []string{tasks.PrefixQuarantine},
		},
	}
}

// addFunctions adds the three functions, each with its own log group and role.
// Go on Lambda: https://docs.aws.amazon.com/lambda/latest/dg/lambda-golang.html
func addFunctions(t *cloudformation.Template, c Config) {
	access := BucketAccess()
	for _, f := range c.Functions() {
		fn := &lambda.Function{
			Description:   new("sluice " + f.Name + " task"),
			Runtime:       new("provided.al2023"),
			Handler:       new("bootstrap"),
			Architectures: []string{"arm64"},
			MemorySize:    new(f.Config.MemoryMB),
			Timeout:       new(f.Config.TimeoutSeconds),
			Role:          cloudformation.GetAtt(f.RoleID, "Arn"),
			Code: &lambda.Function_Code{
				S3Bucket: cloudformation.RefPtr(ParamArtifactBucket),
				S3Key:    cloudformation.RefPtr(f.CodeKeyParam),
			},
			Environment: &lambda.Function_Environment{Variables: map[string]string{
				"LOG_LEVEL": cloudformation.Ref(ParamLogLevel),
			}},
			TracingConfig: &lambda.Function_TracingConfig{Mode: new("Active")},
			// JSON logs in the function's own log group (with its retention) rather than the default
			// /aws/lambda/<name>, which Lambda would create without one.
			// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
			// The log levels are set explicitly: with JSON format and none, Lambda filters the
			// function's lines at INFO (see Config.ApplicationLogLevel).
			LoggingConfig: &lambda.Function_LoggingConfig{
				LogFormat:           new("JSON"),
				LogGroup:            cloudformation.RefPtr(f.LogGroupID),
				ApplicationLogLevel: new(c.ApplicationLogLevel),
				SystemLogLevel:      new(c.SystemLogLevel),
			},
		}
		if n := f.Config.ReservedConcurrency; n > 0 {
			fn.ReservedConcurrentExecutions = new(n)
		}
		t.Resources[f.LogicalID] = fn
		t.Resources[f.LogGroupID] = &logs.LogGroup{
			LogGroupName:                         cloudformation.SubPtr("/aws/lambda/${AWS::StackName}-" + f.Name),
			RetentionInDays:                      new(c.LogRetentionDays),
			AWSCloudFormationDeletionPolicy:      remove,
			AWSCloudFormationUpdateReplacePolicy: removeOnReplace,
		}
		t.Resources[f.RoleID] = &iam.Role{
			Description:              new("The " + f.Name + " function's role: its own log group, traces, and its prefixes of the pipeline bucket."),
			AssumeRolePolicyDocument: assumeRolePolicy("lambda.amazonaws.com"),
			Policies: []iam.Role_Policy{{
				PolicyName:     f.Name + "-task",
				PolicyDocument: functionPolicy(f, access[f.Name]),
			}},
		}
	}
}

func functionPolicy(f FunctionSpec, a Access) policyDocument {
	objects := func(prefixes []string) []string {
		var arns []string
		for _, p := range prefixes {
			arns = append(arns, arn("s3:::${"+LogicalBucket+"}/"+p+"*"))
		}
		return arns
	}
	logsStatement := allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
		cloudformation.GetAtt(f.LogGroupID, "Arn"))
	logsStatement.Sid = "WriteOwnLogs"
	// ListBucket makes S3 answer 404 NoSuchKey for a missing object, which the tasks report as
	// ObjectNotFoundError, instead of 403 AccessDenied. It reveals key names, not contents.
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
	list := allow([]string{"s3:ListBucket"}, cloudformation.GetAtt(LogicalBucket, "Arn"))
	list.Sid = "ListBucketFor404"
	statements := []statement{logsStatement, xrayWrite(), list}
	if len(a.Read) > 0 {
		s := allow([]string{"s3:GetObject", "s3:GetObjectVersion"}, objects(a.Read)...)
		s.Sid = "ReadObjects"
		statements = append(statements, s)
	}
	if len(a.Write) > 0 {
		s := allow([]string{"s3:AbortMultipartUpload", "s3:PutObject"}, objects(a.Write)...)
		s.Sid = "WriteObjects"
		statements = append(statements, s)
	}
	if len(a.ReadTags) > 0 {
		s := allow([]string{"s3:GetObjectTagging", "s3:GetObjectVersionTagging"}, objects(a.ReadTags)...)
		s.Sid = "ReadTagsToCopy"
		statements = append(statements, s)
	}
	if len(a.WriteTags) > 0 {
		s := allow([]string{"s3:PutObjectTagging"}, objects(a.WriteTags)...)
		s.Sid = "WriteCopiedTags"
		statements = append(statements, s)
	}
	if len(a.Delete) > 0 {
		s := allow([]string{"s3:DeleteObject", "s3:DeleteObjectVersion"}, objects(a.Delete)...)
		s.Sid = "DeleteObjects"
		statements = append(statements, s)
	}
	return policy(statements...)
}
