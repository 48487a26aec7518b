package gen_test

import (
	"fmt"

	"github.com/sluicehq/sluice/gen"
)

// ExampleFiles lists what `sluice gen` writes.
func ExampleFiles() {
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f.Path)
	}
	// Output:
	// deploy/template.json
	// statemachine/pipeline.asl.json
	// test/sfnlocal/MockConfigFile.json
	// test/sfnlocal/cases.json
	// tasks/schema/sluice-schema.json
}

// ExampleEventPattern shows the rule's pattern for a bucket named by a literal.
func ExampleEventPattern() {
	p := gen.EventPattern("my-bucket")
	fmt.Println(p["source"], p["detail-type"], p["detail"])
	// Output:
	// [aws.s3] [Object Created] map[bucket:map[name:[my-bucket]] object:map[key:[map[prefix:incoming/]]]]
}
