package asl_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

// validDefinitions reads every definition under testdata/ (all valid).
func validDefinitions(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*", "*.asl.json"))
	if err != nil {
		tb.Fatal(err)
	}
	top, err := filepath.Glob(filepath.Join("testdata", "*.asl.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defs := make(map[string][]byte)
	for _, p := range append(paths, top...) {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		defs[p] = b
	}
	if len(defs) == 0 {
		tb.Fatal("no definitions in testdata/")
	}
	return defs
}

// TestParseTestdata parses each definition in testdata/, encodes the
// result and parses that again: the model must survive the trip.
func TestParseTestdata(t *testing.T) {
	for name, data := range validDefinitions(t) {
		t.Run(name, func(t *testing.T) {
			sm, err := asl.Parse(data)
			if err != nil {
				t.Fatalf("Parse(): %v", err)
			}
			enc, err := json.Marshal(sm)
			if err != nil {
				t.Fatalf("Marshal(): %v", err)
			}
			again, err := asl.Parse(enc)
			if err != nil {
				t.Fatalf("Parse(Marshal()): %v\n%s", err, enc)
			}
			if diff := cmp.Diff(again, sm); diff != "" {
				t.Errorf("model changed on a round trip (-again +first):\n%s", diff)
			}
		})
	}
}

// FuzzParse feeds arbitrary bytes to Parse. Parse must not panic; what it
// accepts must encode to a definition it accepts again as the same model,
// with a stable encoding; what it rejects must carry diagnostics.
func FuzzParse(f *testing.F) {
	for _, data := range validDefinitions(f) {
		f.Add(data)
	}
	// The recorded AWS definitions, when present, are seeds too.
	if cases, err := readConformance(); err == nil {
		for _, c := range cases {
			f.Add([]byte(c.Definition))
		}
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":"a","Next":"A"}]}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sm, err := asl.Parse(data)
		diags := asl.Validate(data)
		if err != nil {
			var verr *asl.ValidationError
			if !errors.As(err, &verr) || len(verr.Diagnostics) == 0 {
				t.Fatalf("Parse() error %v carries no diagnostics", err)
			}
			if len(diags) == 0 {
				t.Fatalf("Parse() failed but Validate() found nothing")
			}
			return
		}
		for _, d := range diags {
			if d.Severity == asl.SeverityError {
				t.Fatalf("Parse() succeeded but Validate() reports %v", d)
			}
		}
		enc, err := json.Marshal(sm)
		if err != nil {
			t.Fatalf("Marshal(): %v", err)
		}
		again, err := asl.Parse(enc)
		if err != nil {
			t.Fatalf("Parse(Marshal()): %v\n%s", err, enc)
		}
		if diff := cmp.Diff(again, sm); diff != "" {
			t.Fatalf("model changed on a round trip (-again +first):\n%s", diff)
		}
		enc2, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if string(enc2) != string(enc) {
			t.Fatalf("encoding is not stable:\n%s\n%s", enc, enc2)
		}
	})
}

// TestParseDoesNotAliasInput overwrites the input after Parse: the machine
// must not change, since it is shared between executions.
func TestParseDoesNotAliasInput(t *testing.T) {
	for name, data := range validDefinitions(t) {
		t.Run(name, func(t *testing.T) {
			buf := append([]byte(nil), data...)
			sm, err := asl.Parse(buf)
			if err != nil {
				t.Fatal(err)
			}
			before, err := json.Marshal(sm)
			if err != nil {
				t.Fatal(err)
			}
			for i := range buf {
				buf[i] = 'x'
			}
			after, err := json.Marshal(sm)
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Errorf("machine changed when its input was overwritten")
			}
		})
	}
}

// TestParsedMachineSharedAcrossGoroutines reads one parsed machine from
// many goroutines (run with -race).
func TestParsedMachineSharedAcrossGoroutines(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "valid", "jsonpath.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	sm, err := asl.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(sm)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := json.Marshal(sm)
			if err == nil && string(got) != string(want) {
				err = errors.New("encodings differ")
			}
			if err == nil {
				err = sm.Validate()
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
