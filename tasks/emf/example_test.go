package emf_test

import (
	"os"
	"time"

	"github.com/sluicehq/sluice/tasks/emf"
)

func ExampleEmitter_Emit() {
	clock := func() time.Time { return time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC) }
	metrics := emf.New(os.Stdout, "validate", emf.WithClock(clock))
	_ = metrics.Emit([]emf.Metric{{Name: "ObjectsValidated", Unit: emf.Count, Value: 1}}, emf.Property{Name: "Dataset", Value: "orders"})
	// Output:
	// {"Dataset":"orders","ObjectsValidated":1,"Stage":"validate","_aws":{"Timestamp":1709285400000,"CloudWatchMetrics":[{"Namespace":"Sluice","Dimensions":[["Stage"]],"Metrics":[{"Name":"ObjectsValidated","Unit":"Count"}]}]}}
}
