package sfn

import (
	"context"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// DisableHostPrefix is an AWS SDK for Go v2 API option for clients of a local endpoint. The SDK sends
// StartSyncExecution and TestState to "sync-" + the endpoint's host (a modeled host prefix), which does
// not resolve for 127.0.0.1 or localhost; with this option the SDK sends them to the endpoint as given:
//
//	client := sfn.NewFromConfig(cfg, func(o *sfn.Options) {
//		o.BaseEndpoint = aws.String("http://127.0.0.1:4566")
//		o.APIOptions = append(o.APIOptions, localsfn.DisableHostPrefix)
//	})
func DisableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("SluiceDisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}
