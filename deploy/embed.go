// Package deploy holds the generated CloudFormation template (template.json, written by `sluice gen`),
// embedded so that an installed sluice binary builds its local stack from it without a checkout.
// `sluice gen --check` fails when the file, and so the copy compiled into a binary, is stale.
package deploy

import _ "embed"

// Template is deploy/template.json as it was when the binary was built.
//
//go:embed template.json
var Template []byte
