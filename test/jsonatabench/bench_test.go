package jsonatabench

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/asl/jsonata"
)

// exprs are expressions of the JSONata test suite over its datasets; the
// first is the reference figure of the JSONata issue.
var exprs = []struct {
	Name    string `json:"name"`
	Dataset string `json:"dataset"`
	Expr    string `json:"expr"`
}{
	{"SumProducts", "dataset5", `$sum(Account.Order.Product.(Price * Quantity))`},
	{"Path", "dataset5", `Account.Order[0].Product[0].Description.Weight`},
	{"Predicate", "dataset5", `Account.Order.Product[Price > 30]."Product Name"`},
	{"ObjectConstructor", "dataset5", `Account.Order.{"id": OrderID, "total": $sum(Product.(Price * Quantity))}`},
	{"GroupBy", "dataset5", `Account.Order.Product{$string(ProductID): Price}`},
	{"Sort", "dataset5", `Account.Order.Product^(>Price).SKU`},
	{"Lambda", "dataset5", `$map(Account.Order.Product, function($p){$p.Price * 2}) ~> $sum()`},
	{"Parent", "dataset5", `Account.Order.Product.{"order": %.OrderID, "sku": SKU}`},
	{"Transform", "dataset5", `$ ~> |Account.Order.Product|{"Total": Price * Quantity}, ["Description"]|`},
}

// datasetsFile finds the suite's datasets: $SLUICE_SHARED, or ../shared
// beside the repository root.
func datasetsFile(_ testing.TB) string {
	if s := os.Getenv("SLUICE_SHARED"); s != "" {
		return filepath.Join(s, "conformance", "jsonata", "datasets.json")
	}
	return filepath.Join("..", "..", "..", "shared", "conformance", "jsonata", "datasets.json")
}

// jsBaseline runs bench.js and returns nanoseconds per evaluation by
// expression name, or skips.
func jsBaseline(b *testing.B, datasets json.RawMessage) map[string]float64 {
	node, err := exec.LookPath("node")
	if err != nil {
		b.Skip("node not found: jsonata-js baseline unavailable")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "jsonata", "package.json")); err != nil {
		b.Skip("jsonata-js not installed: npm ci --prefix test/jsonatabench")
	}
	spec, err := json.Marshal(map[string]any{"datasets": datasets, "exprs": exprs, "millis": 500})
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(b.Context(), node, "bench.js")
	cmd.Stdin = bytes.NewReader(spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("bench.js: %v: %s", err, stderr.String())
	}
	res := map[string]float64{}
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatal(err)
	}
	return res
}

func BenchmarkVersusJSONataJS(b *testing.B) {
	raw, err := os.ReadFile(datasetsFile(b))
	if err != nil {
		b.Skipf("JSONata suite datasets not available: %v", err)
	}
	var sets map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sets); err != nil {
		b.Fatal(err)
	}
	js := jsBaseline(b, raw)
	for _, x := range exprs {
		doc, err := jsonata.DecodeJSON(sets[x.Dataset])
		if err != nil {
			b.Fatal(err)
		}
		e, err := jsonata.Compile(x.Expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(x.Name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(ctx, doc); err != nil {
					b.Fatal(err)
				}
			}
			goNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(js[x.Name], "js-ns/op")
			if goNs > 0 {
				b.ReportMetric(js[x.Name]/goNs, "js/go")
			}
		})
	}
}
