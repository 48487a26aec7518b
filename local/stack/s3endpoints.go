package stack

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// s3Endpoints is the endpoint resolver of the stack's own S3 clients (the in-process functions', the
// Distributed Map's): the SDK's default resolver, whose answers it remembers. The SDK runs its S3 endpoint
// rules twice for every request (once to choose the signing scheme, once to address the request), and the
// rules are pure: the same parameters give the same endpoint. For the stack's clients the parameters
// that vary (the bucket; the key, which the rules do not read) take a handful of values, so each distinct
// set is resolved once by the SDK itself and then answered from memory. What a request carries on the
// wire is therefore what the default resolver gives; TestS3EndpointsMatchTheSDK and
// TestS3EndpointsSendTheSameRequests hold it to that. The Lambda mains (cmd/validate, cmd/process,
// cmd/store) keep the SDK's resolver as it comes: this is the local stack's alone.
type s3Endpoints struct {
	next s3.EndpointResolverV2

	mu sync.RWMutex
	m  map[s3EndpointKey]smithyendpoints.Endpoint
}

var _ s3.EndpointResolverV2 = (*s3Endpoints)(nil)

// maxS3Endpoints bounds the endpoints remembered; past it, parameters not yet seen are resolved each time.
const maxS3Endpoints = 1024

func newS3Endpoints() *s3Endpoints {
	return &s3Endpoints{next: s3.NewDefaultEndpointResolverV2(), m: map[s3EndpointKey]smithyendpoints.Endpoint{}}
}

// s3EndpointKey is the part of s3.EndpointParameters the endpoint rules read: every field but Key,
// Prefix and CopySource, which the S3 rules of this SDK version never consult (the fields' list is
// pinned by TestS3EndpointParametersFields, so an SDK that adds one fails it until this is revisited).
type s3EndpointKey struct {
	bucket, region, endpoint optionalString
	// UseFIPS, UseDualStack, ForcePathStyle, Accelerate, UseGlobalEndpoint, UseObjectLambdaEndpoint,
	// DisableAccessPoints, DisableMultiRegionAccessPoints, UseArnRegion, UseS3ExpressControlEndpoint,
	// DisableS3ExpressSessionAuth, in that order: unset, false or true.
	flags [11]optionalBool
}

type optionalString struct {
	s   string
	set bool
}

type optionalBool uint8

const (
	boolUnset optionalBool = iota
	boolFalse
	boolTrue
)

func optString(p *string) optionalString {
	if p == nil {
		return optionalString{}
	}
	return optionalString{*p, true}
}

func optBool(p *bool) optionalBool {
	switch {
	case p == nil:
		return boolUnset
	case *p:
		return boolTrue
	}
	return boolFalse
}

func s3EndpointKeyOf(p *s3.EndpointParameters) s3EndpointKey {
	return s3EndpointKey{
		bucket: optString(p.Bucket), region: optString(p.Region), endpoint: optString(p.Endpoint),
		flags: [11]optionalBool{optBool(p.UseFIPS), optBool(p.UseDualStack), optBool(p.ForcePathStyle), optBool(p.Accelerate),
			optBool(p.UseGlobalEndpoint), optBool(p.UseObjectLambdaEndpoint), optBool(p.DisableAccessPoints),
			optBool(p.DisableMultiRegionAccessPoints), optBool(p.UseArnRegion), optBool(p.UseS3ExpressControlEndpoint),
			optBool(p.DisableS3ExpressSessionAuth)},
	}
}

// ResolveEndpoint answers what the SDK's resolver answers for params. Errors are not remembered.
func (r *s3Endpoints) ResolveEndpoint(ctx context.Context, params s3.EndpointParameters) (smithyendpoints.Endpoint, error) {
	key := s3EndpointKeyOf(&params)
	r.mu.RLock()
	e, ok := r.m[key]
	r.mu.RUnlock()
	if ok {
		return copyEndpoint(e), nil
	}
	e, err := r.next.ResolveEndpoint(ctx, params)
	if err != nil {
		return e, err
	}
	r.mu.Lock()
	if len(r.m) < maxS3Endpoints {
		r.m[key] = copyEndpoint(e)
	}
	r.mu.Unlock()
	return e, nil
}

// copyEndpoint copies e deeply enough that the SDK's changes to what it is given (it rewrites the auth
// options an endpoint carries, and its URL's RawPath) never reach the remembered one.
func copyEndpoint(e smithyendpoints.Endpoint) smithyendpoints.Endpoint {
	c := smithyendpoints.Endpoint{URI: e.URI, Headers: e.Headers.Clone()}
	if u := e.URI.User; u != nil {
		uc := *u
		c.URI.User = &uc
	}
	c.Properties.SetAll(&e.Properties)
	if opts, ok := smithyauth.GetAuthOptions(&e.Properties); ok {
		cp := make([]*smithyauth.Option, len(opts))
		for i, o := range opts {
			cp[i] = &smithyauth.Option{SchemeID: o.SchemeID, IdentityProperties: copyProperties(&o.IdentityProperties),
				SignerProperties: copyProperties(&o.SignerProperties)}
		}
		smithyauth.SetAuthOptions(&c.Properties, cp)
	}
	return c
}

func copyProperties(p *smithy.Properties) smithy.Properties {
	var c smithy.Properties
	c.SetAll(p)
	return c
}
