// Package template evaluates CloudFormation templates: it parses a template (JSON, or YAML with the
// short forms !Ref, !GetAtt, !Sub, ...), validates it as ValidateTemplate does, binds parameter values,
// decides conditions, orders resources by their dependencies, resolves each resource's properties and
// the outputs as resources get provisioned, and computes a change set's resource changes. It is pure:
// no network, no clock, no other local service; the CloudFormation service (local/cloudformation)
// provisions and supplies what it provisioned through a Lookup.
//
// # Use
//
//	t, err := template.Parse(body)             // *Error "Template format error: ..." on bad structure
//	v, err := t.Validate()                     // ValidateTemplate: parameters, capabilities, or the error
//	s, err := t.Bind(params, template.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "demo"})
//	order, err := s.Order()                    // creation order; s.DeletionOrder() is its reverse
//	done := template.Provisioned{}
//	for _, id := range order {
//		r, err := s.ResolveResource(id, done)  // Properties with every intrinsic resolved
//		// create r.Type with r.Properties, then record what Ref and Fn::GetAtt give:
//		done[id] = template.Physical{Ref: physicalID, Attributes: map[string]any{"Arn": arn}}
//	}
//	outs, err := s.Outputs(done)               // Key, Value, Description, ExportName
//	params := s.Parameters()                   // for DescribeStacks: NoEcho values as "****"
//
// A change set binds the new template and compares it with the deployed stack (its stored template
// and parameter values bound again; nil when creating), resolving with what is provisioned:
//
//	changes, err := next.Diff(deployed, done)  // []ResourceChange, as DescribeChangeSet shows them
//
// To apply it: create and update in next.Order(), then delete the removed resources in
// deployed.DeletionOrder() (the old stack's dependencies). A Stack is read-only after Bind and safe for
// concurrent use.
//
// Each change is Add, Modify or Remove; a Modify carries Replacement (True, False, Conditional),
// Scope and Details (Target Attribute/Name/RequiresRecreation, Evaluation, ChangeSource,
// CausingEntity, Before/AfterValue). RequiresRecreation comes from the CloudFormation Template
// Reference's "Update requires" for the types the generated template uses (RequiresRecreation,
// KnownType); any other type's property changes are Conditionally.
//
// # Errors
//
// Template and parameter errors are *Error, whose Message is AWS's text; a service answers them as
// "ValidationError" (CodeValidation) with HTTP 400, e.g. "Template format error: Unresolved resource
// dependencies [X] in the Resources block of the template", "Circular dependency between resources:
// [A, B]", "Parameters: [X] must have values", "Parameter 'X' must be one of AllowedValues". A value
// that needs a resource the Lookup does not know fails wrapping ErrNotProvisioned; what the local
// engine does not evaluate (SSM parameter types) wraps ErrUnsupported.
//
// # What it evaluates
//
// Ref; Fn::GetAtt (both forms, the attribute possibly a Ref); Fn::Sub (both forms, ${!Literal});
// Fn::Join; Fn::Select; Fn::Split; Fn::FindInMap; Fn::GetAZs (locally three zones, <region>a, b, c);
// Fn::ImportValue (through Env.Import); Fn::Base64; Fn::Cidr; Fn::If, Fn::Equals, Fn::And, Fn::Or,
// Fn::Not and Condition references, with Conditions on resources and outputs and AWS::NoValue; the
// pseudo parameters AWS::AccountId, AWS::Region, AWS::StackId, AWS::StackName, AWS::Partition (aws-cn
// for cn-*, aws-us-gov for us-gov-*), AWS::URLSuffix, AWS::NotificationARNs and AWS::NoValue.
// Parameters: String, Number, List<Number>, CommaDelimitedList and the AWS-specific types (taken as
// strings, not checked against the account); Default, AllowedValues, AllowedPattern, MinLength,
// MaxLength, MinValue, MaxValue, NoEcho, ConstraintDescription.
//
// Not evaluated: transforms (AWS::Serverless, AWS::LanguageExtensions and its Fn::ForEach, Fn::Length,
// Fn::ToJsonString; Fn::Transform): Validate lists them in DeclaredTransforms as ValidateTemplate does,
// and Bind fails with ErrUnsupported; Rules; AWS::SSM::Parameter::Value<...> parameters (Bind fails
// with ErrUnsupported); the existence checks of AWS-specific parameter types.
// AllowedPattern is matched with Go's RE2, which lacks Java's look-around.
//
// Numbers in templates are float64, as encoding/json gives them.
package template
