package asl_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/asl"
)

// conformanceCase is one line of the recorded AWS cases; see
// ../shared/conformance/README.md from the repository root.
type conformanceCase struct {
	ID         string `json:"id"`
	Definition string `json:"definition"`
	Expect     struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Cause  string `json:"cause"`
	} `json:"expect"`
}

func loadConformance(t *testing.T) []conformanceCase {
	t.Helper()
	cases, err := readConformance()
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("conformance cases not present: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// readConformance reads ../shared/conformance/asl-cases.jsonl from the
// repository root.
func readConformance() ([]conformanceCase, error) {
	path := filepath.Join("..", "..", "shared", "conformance", "asl-cases.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("decode case: %w", err)
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// TestConformanceParse runs every recorded definition through Parse: the
// ones CreateStateMachine rejected must fail with the recorded message,
// every other one must parse.
func TestConformanceParse(t *testing.T) {
	for _, c := range loadConformance(t) {
		t.Run(c.ID, func(t *testing.T) {
			_, err := asl.Parse([]byte(c.Definition))
			if c.Expect.Status != "CREATE_FAILED" {
				if err != nil {
					t.Fatalf("Parse() error = %v, want nil", err)
				}
				return
			}
			if c.Expect.Error != "InvalidDefinition" {
				t.Fatalf("recorded error %q is not InvalidDefinition", c.Expect.Error)
			}
			var verr *asl.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Parse() error = %v, want *ValidationError", err)
			}
			// The recorded message puts "<partition>" where the account's
			// partition was.
			want := strings.ReplaceAll(c.Expect.Cause, "arn:<partition>:", "arn:aws:")
			if got := err.Error(); got != want {
				t.Errorf("Parse() error:\n got %s\nwant %s", got, want)
			}
		})
	}
}
