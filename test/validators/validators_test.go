package validators

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/gen"
)

// tools returns the path of the node binary, or skips (fails, when SLUICE_REQUIRE_NODE_TOOLS=1) if node
// or the npm packages are missing.
func tools(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		msg := what + ": run `npm ci --prefix test/validators` (needs node and npm)"
		if os.Getenv("SLUICE_REQUIRE_NODE_TOOLS") == "1" {
			t.Fatal(msg + "; SLUICE_REQUIRE_NODE_TOOLS=1 makes the validators mandatory")
		}
		t.Skip(msg + "; skipping the offline validators")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join("node_modules", ".package-lock.json")); err != nil {
		missing("test/validators/node_modules is not installed")
	}
	return node
}

// generated writes the generator's output for the default configuration into a temporary directory and
// returns the paths of the template and the state machine definition.
func generated(t *testing.T) (template, definition string) {
	t.Helper()
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		t.Fatalf("gen.Files: %v", err)
	}
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.FromSlash(gen.PathTemplate)), filepath.Join(dir, filepath.FromSlash(gen.PathStateMachine))
}

// runNode runs a node script or tool and returns its stdout and exit code (2 and a fatal error if it could
// not run at all).
func runNode(t *testing.T, name string, args ...string) (stdout []byte, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.Bytes(), 0
	case errors.As(err, &exit):
		if exit.ExitCode() == 2 {
			t.Fatalf("%s %s could not run:\n%s%s", name, strings.Join(args, " "), out.String(), errOut.String())
		}
		return out.Bytes(), exit.ExitCode()
	default:
		t.Fatalf("%s: %v", name, err)
		return nil, 2
	}
}

func aslValidator(t *testing.T, definition string) (string, int) {
	t.Helper()
	node := tools(t)
	out, code := runNode(t, node, filepath.Join("node_modules", "asl-validator", "dist", "bin", "asl-validator.js"), "--json-path", definition)
	return string(out), code
}

type cfnReport struct {
	Reports []struct {
		Template    string `json:"template"`
		Diagnostics []struct {
			RuleID       string `json:"ruleId"`
			Severity     string `json:"severity"`
			Message      string `json:"message"`
			Entity       string `json:"entity"`
			PropertyPath string `json:"propertyPath"`
		} `json:"diagnostics"`
	} `json:"reports"`
}

// cfnValidate validates the templates in one run (building the engine takes seconds) and returns, per
// template, its diagnostics of severity WARN and above.
func cfnValidate(t *testing.T, templates ...string) [][]string {
	t.Helper()
	node := tools(t)
	out, _ := runNode(t, node, append([]string{"cfn-validate.js"}, templates...)...)
	var r cfnReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("decode cfn-validate report: %v\n%s", err, out)
	}
	if len(r.Reports) != len(templates) {
		t.Fatalf("cfn-validate returned %d reports for %d templates", len(r.Reports), len(templates))
	}
	serious := make([][]string, len(templates))
	for i, report := range r.Reports {
		for _, d := range report.Diagnostics {
			switch d.Severity {
			case "WARN", "ERROR", "FATAL":
				serious[i] = append(serious[i], d.Severity+" "+d.RuleID+" "+d.Entity+" "+d.PropertyPath+": "+d.Message)
			}
		}
	}
	return serious
}

type nagFinding struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
}

type nagReport struct {
	Findings     []nagFinding `json:"findings"`
	Unsuppressed []nagFinding `json:"unsuppressed"`
	Unused       []nagFinding `json:"unused"`
}

func cdkNag(t *testing.T, template, suppressions string) nagReport {
	t.Helper()
	node := tools(t)
	out, _ := runNode(t, node, "nag.js", template, suppressions)
	var r nagReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("decode nag report: %v\n%s", err, out)
	}
	return r
}

// TestValidators runs each validator on the generated artifacts, which must pass, and on a broken copy,
// which must fail (so that passing means something).
func TestValidators(t *testing.T) {
	tools(t)
	template, definition := generated(t)
	dir := t.TempDir()

	t.Run("asl-validator", func(t *testing.T) {
		t.Parallel()
		if out, code := aslValidator(t, definition); code != 0 {
			t.Errorf("asl-validator exit %d on the generated definition:\n%s", code, out)
		}
		b, err := os.ReadFile(definition)
		if err != nil {
			t.Fatal(err)
		}
		broken := filepath.Join(dir, "broken.asl.json")
		// A Next that names no state.
		b = bytes.Replace(b, []byte(`"Next": "Stored"`), []byte(`"Next": "NoSuchState"`), 1)
		if err := os.WriteFile(broken, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, code := aslValidator(t, broken); code != 1 {
			t.Errorf("asl-validator exit %d on a dangling Next, want 1:\n%s", code, out)
		}
	})

	t.Run("cloudformation-validate", func(t *testing.T) {
		t.Parallel()
		var doc map[string]any
		b, err := os.ReadFile(template)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		// Every Ref/GetAtt of the bucket now dangles.
		delete(doc["Resources"].(map[string]any), gen.LogicalBucket)
		broken := filepath.Join(dir, "broken-template.json")
		b, _ = json.Marshal(doc)
		if err := os.WriteFile(broken, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got := cfnValidate(t, template, broken)
		if len(got[0]) > 0 {
			t.Errorf("cloudformation-validate reported on the generated template:\n%s", strings.Join(got[0], "\n"))
		}
		if len(got[1]) == 0 {
			t.Error("cloudformation-validate accepted a template with dangling references to Bucket")
		}
	})

	t.Run("cdk-nag", func(t *testing.T) {
		t.Parallel()
		r := cdkNag(t, template, "nag-suppressions.json")
		for _, f := range r.Unsuppressed {
			t.Errorf("cdk-nag finding neither fixed nor justified in nag-suppressions.json: %s on %s", f.Rule, f.Resource)
		}
		for _, f := range r.Unused {
			t.Errorf("nag-suppressions.json entry matches no finding (remove it): %s on %s", f.Rule, f.Resource)
		}
		empty := filepath.Join(dir, "no-suppressions.json")
		if err := os.WriteFile(empty, []byte(`{"suppressions": []}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := cdkNag(t, template, empty); len(r.Unsuppressed) == 0 {
			t.Error("cdk-nag reported nothing without suppressions, so nag-suppressions.json cannot be checked")
		}
	})
}

// TestSchemaFormatJSONSchema checks the generated JSON Schema of the dataset schema format with Ajv
// (draft 2020-12, strict mode): it compiles, the sample schema is valid against it, and documents with an
// unknown member, a type that does not exist or a missing member are not, as Parse also refuses them.
func TestSchemaFormatJSONSchema(t *testing.T) {
	node := tools(t)
	dir := t.TempDir()
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	format := filepath.Join(dir, "format.json")
	for _, f := range files {
		if f.Path == gen.PathSchemaFormat {
			if err := os.WriteFile(format, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	docs := map[string]string{
		"unknown-member.json": `{"name":"x","columns":[{"name":"a","type":"string","nulable":true}]}`,
		"unknown-type.json":   `{"name":"x","columns":[{"name":"a","type":"strin"}]}`,
		"no-columns.json":     `{"name":"x"}`,
		"decimal.json":        `{"$schema":"x","name":"x","columns":[{"name":"a","type":"decimal","precision":12,"scale":2,"min":"0.01"}]}`,
	}
	args := []string{filepath.Join("jsonschema.js"), format, filepath.Join("..", "..", "sample", "schemas", "orders.json")}
	for name, body := range docs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	out, code := runNode(t, node, args...)
	if code != 0 {
		t.Fatalf("jsonschema.js exit %d:\n%s", code, out)
	}
	var got map[string][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	for doc, errs := range got {
		name := filepath.Base(doc)
		wantValid := name == "orders.json" || name == "decimal.json"
		if wantValid != (len(errs) == 0) {
			t.Errorf("%s: errors %q, want valid=%v", name, errs, wantValid)
		}
	}
	if len(got) != len(docs)+1 {
		t.Errorf("got results for %d documents, want %d", len(got), len(docs)+1)
	}
}
