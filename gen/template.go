package gen

import (
	"bytes"
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
)

// Template returns the pipeline's CloudFormation template for the configuration.
func Template(c Config) (*cloudformation.Template, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t := cloudformation.NewTemplate()
	t.Description = c.Description
	addParameters(t, c)
	addBucket(t, c)
	addRule(t, c)
	addStateMachine(t, c)
	addFunctions(t, c)
	addAlarms(t, c)
	if err := addDashboard(t, c); err != nil {
		return nil, err
	}
	addOutputs(t)
	return t, nil
}

// TemplateJSON returns the template as the bytes of deploy/template.json: indented JSON with sorted keys
// and a final newline.
func TemplateJSON(c Config) ([]byte, error) {
	t, err := Template(c)
	if err != nil {
		return nil, err
	}
	// Template.JSON expands goformation's encoded intrinsics into {"Ref": ...}, {"Fn::Sub": ...} objects.
	b, err := t.JSON()
	if err != nil {
		return nil, fmt.Errorf("encode template: %w", err)
	}
	return append(bytes.TrimRight(b, "\n"), '\n'), nil
}

func addParameters(t *cloudformation.Template, c Config) {
	t.Parameters[ParamArtifactBucket] = cloudformation.Parameter{
		Type:           "String",
		Description:    new("S3 bucket (same region) holding the functions' zips, as uploaded by `sluice deploy`."),
		AllowedPattern: new(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`),
	}
	for _, f := range c.Functions() {
		t.Parameters[f.CodeKeyParam] = cloudformation.Parameter{
			Type:           "String",
			Description:    new("S3 key of the " + f.Name + " function's zip; content-hashed, so a new build is a new key."),
			AllowedPattern: new(`^[A-Za-z0-9/._-]+\.zip$`),
		}
	}
	t.Parameters[ParamLogLevel] = cloudformation.Parameter{
		Type:          "String",
		Description:   new("The functions' LOG_LEVEL."),
		Default:       c.DefaultLogLevel,
		AllowedValues: []any{"DEBUG", "INFO", "WARN", "ERROR"},
	}
}

// retain and retainOnReplace keep a resource when the stack is deleted or the resource replaced: the
// data bucket and its access logs outlive the stack. remove and removeOnReplace state the opposite
// explicitly for the other stateful resources (log groups, the dead-letter queue, the topic's key),
// which belong to the stack.
const (
	retain          = policies.DeletionPolicy("Retain")
	retainOnReplace = policies.UpdateReplacePolicy("Retain")
	remove          = policies.DeletionPolicy("Delete")
	removeOnReplace = policies.UpdateReplacePolicy("Delete")
)
