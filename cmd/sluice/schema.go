package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/sluicehq/sluice/tasks/schema"
)

// errSchema is returned when a schema file has problems: exit status 1, after every problem is printed.
var errSchema = errors.New("invalid schema")

// runSchema checks schema documents without a stack:
//
//	sluice schema check FILE...
//
// It prints every problem of each file as FILE:LINE:COLUMN: PATH: MESSAGE, the way compilers do, so
// editors can jump to it.
func runSchema(_ context.Context, args []string, std stdio) error {
	fs := newFlagSet("schema", std)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: sluice schema check FILE...

Checks dataset schema files (the format: go doc github.com/sluicehq/sluice/tasks/schema; its JSON
Schema: tasks/schema/sluice-schema.json) and prints every problem with its line and column.
`)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() < 2 || fs.Arg(0) != "check" {
		fs.Usage()
		return fmt.Errorf("%w: want `sluice schema check FILE...`", errUsage)
	}
	bad := 0
	for _, file := range fs.Args()[1:] {
		if err := checkSchemaFile(file, "", std); err != nil {
			if !errors.Is(err, errSchema) {
				return err
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d of %s", errSchema, bad, plural(fs.NArg()-1, "file"))
	}
	return nil
}

// checkSchemaFile parses one schema file and prints its problems to std.Err (or "ok" to std.Out).
// When key is a schemas/<dataset>.json key, the schema must also be named for that dataset.
func checkSchemaFile(file, key string, std stdio) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s, err := schema.Parse(data)
	var problems schema.Problems
	switch {
	case errors.As(err, &problems):
	case err != nil:
		return err
	default:
		if ds, ok := strings.CutPrefix(key, "schemas/"); ok && strings.TrimSuffix(ds, ".json") != s.Name {
			problems = schema.Problems{{Path: "name", Msg: fmt.Sprintf("%q is not the dataset %q the files go to", s.Name, strings.TrimSuffix(ds, ".json"))}}
		}
	}
	if len(problems) == 0 {
		fmt.Fprintf(std.Out, "%s: ok (dataset %q, %s)\n", file, s.Name, plural(len(s.Columns), "column"))
		return nil
	}
	for _, p := range problems {
		loc := file
		if p.Line > 0 {
			loc += fmt.Sprintf(":%d:%d", p.Line, p.Col)
		}
		msg := p.Msg
		if p.Path != "" {
			msg = p.Path + ": " + msg
		}
		fmt.Fprintf(std.Err, "%s: %s\n", loc, msg)
	}
	return fmt.Errorf("%w: %s has %s", errSchema, file, plural(len(problems), "problem"))
}

// plural writes a count with its noun: "1 object", "2 objects".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
