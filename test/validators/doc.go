// Package validators runs the offline validators over the generated artifacts: asl-validator on the state
// machine definition, @aws/cloudformation-validate (bundled in aws-cdk-lib) and cdk-nag's AwsSolutions and
// Serverless packs on the CloudFormation template, and Ajv (draft 2020-12, strict) on the JSON Schema of the
// dataset schema format (jsonschema.js), against the sample schema and documents it must refuse.
//
// The tools are npm packages pinned in package.json and package-lock.json; install them with
// `npm ci --prefix test/validators`. The tests skip when node_modules is absent, unless
// SLUICE_REQUIRE_NODE_TOOLS=1 (the Makefile sets it), which makes the absence a failure.
//
// cdk-nag findings that are not fixed in the template are justified in nag-suppressions.json; nag.js fails on
// a finding that is not listed and on a listed entry that no longer matches a finding.
package validators
