// Package sts is the local AWS Security Token Service, as much of it as a deployer needs to know whose
// account it deploys to: GetCallerIdentity, in the query protocol the SDKs and the AWS CLI speak
// (form-encoded Action and Version=2011-06-15, answered in XML). The caller is the account's root (the
// local stack checks no signatures and has no users); every other action is answered with STS's
// InvalidAction error.
//
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
package sts
