package jsonata

import (
	"testing"
)

// benchExprs are suite expressions over the suite's datasets. The first
// is the reference expression.
var benchExprs = []struct {
	name, dataset, expr string
}{
	{"SumProducts", "dataset5", `$sum(Account.Order.Product.(Price * Quantity))`},
	{"Path", "dataset5", `Account.Order[0].Product[0].Description.Weight`},
	{"Predicate", "dataset5", `Account.Order.Product[Price > 30]."Product Name"`},
	{"ObjectConstructor", "dataset5", `Account.Order.{"id": OrderID, "total": $sum(Product.(Price * Quantity))}`},
	{"GroupBy", "dataset5", `Account.Order.Product{$string(ProductID): Price}`},
	{"StringFunctions", "dataset5", `$uppercase($join(Account.Order.Product."Product Name", ", "))`},
	{"Sort", "dataset5", `Account.Order.Product^(>Price).SKU`},
	{"Lambda", "dataset5", `$map(Account.Order.Product, function($p){$p.Price * 2}) ~> $sum()`},
	{"Parent", "dataset5", `Account.Order.Product.{"order": %.OrderID, "sku": SKU}`},
	{"Transform", "dataset5", `$ ~> |Account.Order.Product|{"Total": Price * Quantity}, ["Description"]|`},
}

func BenchmarkEval(b *testing.B) {
	_, datasets := loadSuite(b)
	for _, bx := range benchExprs {
		e, err := Compile(bx.expr)
		if err != nil {
			b.Fatal(err)
		}
		input := datasets[bx.dataset]
		b.Run(bx.name, func(b *testing.B) {
			ctx := b.Context()
			if _, err := e.Eval(ctx, input); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(ctx, input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, bx := range benchExprs {
		b.Run(bx.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(bx.expr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
