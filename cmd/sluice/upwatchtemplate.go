package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sluicehq/sluice/local/stack"
)

// defaultTemplatePath is the generated template in the repository, what `sluice up --watch` watches
// unless --template names another.
const defaultTemplatePath = "deploy/template.json"

// templateWatchInterval is how often `sluice up --watch` looks at the template file.
const templateWatchInterval = 500 * time.Millisecond

// watchTemplate deploys the template file again, as a CloudFormation stack update, each time its
// content changes (make gen rewrites it), until ctx ends. It prints one line per deploy: what changed
// or why the update rolled back (the stack then runs on as it was).
func watchTemplate(ctx context.Context, st *stack.Stack, path string, std stdio) {
	last, _ := os.ReadFile(path)
	t := time.NewTicker(templateWatchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		body, err := os.ReadFile(path)
		if err != nil || len(body) == 0 || bytes.Equal(body, last) {
			continue // a file being rewritten is read again at the next tick
		}
		last = body
		fmt.Fprintf(std.Err, "sluice: %s changed: deploying it as an update of stack %s\n", path, st.StackName())
		err = st.Deploy(ctx, body)
		var de *stack.DeployError
		switch {
		case errors.As(err, &de):
			fmt.Fprintf(std.Err, "sluice: update failed and rolled back (%s): %s\n", de.Status, de.Reason)
		case err != nil && ctx.Err() == nil:
			fmt.Fprintf(std.Err, "sluice: update not deployed: %v\n", err)
		case err == nil:
			fmt.Fprintf(std.Err, "sluice: stack %s is up to date with %s\n", st.StackName(), path)
		}
	}
}
