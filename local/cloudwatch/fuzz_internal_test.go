package cloudwatch

import (
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/sluicehq/sluice/asl/interp"
)

func FuzzDecodeRequest(f *testing.F) {
	f.Add(cbor.Encode(cbor.Map{"Namespace": cbor.String("N"), "MetricData": cbor.List{cbor.Map{"MetricName": cbor.String("M"), "Value": cbor.Float64(1),
		"Timestamp": &cbor.Tag{ID: 1, Value: cbor.Float64(1764064800)}}}}))
	f.Add([]byte{0xbf, 0x61, 'a', 0x9f, 0x01, 0xff, 0xff})
	f.Add([]byte{0xff})
	f.Add([]byte{0xc1, 0x61, 'x'})
	f.Add([]byte(`{"Namespace":"N","MetricData":[{"MetricName":"M","Value":1,"Timestamp":1764064800.5}]}`))
	f.Add([]byte(`{"StartTime":"x","EndTime":1}`))
	srv, err := New(WithClock(interp.NewVirtualClock(time.Unix(1764064800, 0))))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// Every operation must answer without panicking; errors are fine.
		for _, dec := range []decoder{cborDecoder(body), jsonDecoder(body)} {
			_, _ = srv.putMetricData(dec)
			_, _ = srv.getMetricData(dec)
			_, _ = srv.getMetricStatistics(dec)
			_, _ = srv.listMetrics(dec)
		}
	})
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		values, counts []float64
		q, want        float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{1, 1, 1, 1}, 50, 2},
		{[]float64{1, 2, 3, 4}, []float64{1, 1, 1, 1}, 100, 4},
		{[]float64{4, 1}, []float64{1, 9}, 90, 1},
		{[]float64{4, 1}, []float64{1, 9}, 95, 4},
		{[]float64{7}, []float64{1}, 0, 7},
	}
	for _, tc := range tests {
		if got := percentile(tc.values, tc.counts, tc.q); got != tc.want {
			t.Errorf("percentile(%v, %v, %v) = %v, want %v", tc.values, tc.counts, tc.q, got, tc.want)
		}
	}
}
