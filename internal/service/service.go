// Package service is the vocabulary every local AWS service shares, so that a
// reader who knows one service knows them all: the settings each service's New
// takes (data directory, clock, region, account, logger) in one Options
// struct with one set of defaults, the one Clock type, and the one way a
// panic while serving a request is logged and answered (Recover).
//
// Each service exports its own WithDataDir, WithClock, WithRegion, WithAccount
// and WithLogger options (this package is internal, so a user of a service
// cannot name it) and stores what they set in an Options; each aliases Clock.
package service

import (
	"log/slog"
	"time"
)

// The account and region of every local ARN unless the user chooses others.
// The engine (asl/interp) uses the same account, so the ARNs an execution
// makes up agree with the services'.
const (
	DefaultAccount = "000000000000"
	DefaultRegion  = "us-east-1"
)

// A Clock is a service's only source of time: timestamps, deadlines and
// retry delays. Its method set is asl/interp's Clock, so one clock (the
// engine's VirtualClock in tests) can drive the engine and the services.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc arranges for f to run in its own goroutine once d has
	// elapsed; stop cancels the call and reports whether it did so before
	// f ran.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// SystemClock returns the wall clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Options are the settings every service has. The zero value of a field
// means its default (see Defaults).
type Options struct {
	// DataDir is where a service keeps its state; "" keeps it in memory
	// for the services that can (a service that cannot says so in New).
	DataDir string
	// Clock tells the time (the wall clock by default).
	Clock Clock
	// Region and Account go into ARNs and events (DefaultRegion and
	// DefaultAccount by default).
	Region, Account string
	// Logger receives the service's own messages (discarded by default).
	Logger *slog.Logger
}

// Defaults returns o with every unset field set to its default.
func (o Options) Defaults() Options {
	if o.Clock == nil {
		o.Clock = SystemClock()
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
