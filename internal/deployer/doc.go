// Package deployer deploys a CloudFormation template the way `sluice deploy` and `sluice destroy` do, to AWS
// or to any endpoint that speaks the same APIs (the local stack): one code path for both.
//
// A deploy resolves an artifact bucket (the one given, or a versioned, encrypted, private bucket named after
// the account and region that it creates when missing, as `sam deploy --resolve-s3` does), uploads the
// function packages and the template under content-addressed keys (skipping keys already there; a
// HeadObject answered 403, as S3 answers a missing key to a caller without s3:ListBucket, means "upload"),
// creates a change set (CREATE or UPDATE by whether the stack exists), waits for it, renders it as a table,
// executes it when asked, streams the stack's events until a terminal status and returns the outputs. An
// empty change set is not an error: it is deleted and reported as "no changes".
//
// The package takes its clients as small interfaces (the AWS SDK for Go v2 clients satisfy them) and writes
// its progress to an io.Writer; it reads no flags and no environment.
package deployer
