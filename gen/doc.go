// Package gen is the generator: one Go configuration (Config, with DefaultConfig) in, the pipeline's
// deployable artifacts out, deterministically and without I/O.
//
//   - Template builds the CloudFormation template (deploy/template.json) with goformation/v7. Every
//     intrinsic function is built with goformation's helpers, never as a hand-written map, because
//     goformation's JSON encoder evaluates hand-written intrinsics (a resource Ref becomes null).
//   - StateMachine builds the state machine definition (statemachine/pipeline.asl.json) from the same
//     configuration through package statemachine.
//   - MockConfig builds Step Functions Local's mocked-integration file (test/sfnlocal/MockConfigFile.json)
//     and MockCases the outcome each of its test cases must have (test/sfnlocal/cases.json).
//   - Files returns all of them as the bytes that belong in the repository, keyed by their path
//     relative to the repository root; `sluice gen` writes them and `sluice gen --check` compares them.
//
// The same Config always yields the same bytes: maps are encoded with sorted keys and nothing depends on
// time, the environment or the machine.
package gen
