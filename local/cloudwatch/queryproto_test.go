package cloudwatch_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/cloudwatch"
)

// queryCall posts a form-encoded query protocol request, as botocore's query serializer sends it, and
// returns the status and the XML answer.
func queryCall(t *testing.T, url string, form url.Values) (int, string) {
	t.Helper()
	form.Set("Version", cloudwatch.QueryVersion)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		t.Errorf("Content-Type: got %q, want text/xml", ct)
	}
	return resp.StatusCode, string(b)
}

// TestQueryProtocol: the four operations in CloudWatch's query protocol (form-encoded requests with
// Param.member.N lists, XML answers), beside the JSON and CBOR ones.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/making-api-requests.html
func TestQueryProtocol(t *testing.T) {
	srv, err := cloudwatch.New()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	status, body := queryCall(t, hs.URL, url.Values{
		"Action": {"PutMetricData"}, "Namespace": {"Sluice"},
		"MetricData.member.1.MetricName": {"Rows"}, "MetricData.member.1.Value": {"5"}, "MetricData.member.1.Unit": {"Count"},
		"MetricData.member.1.Timestamp":                {"2026-11-25T10:00:00Z"},
		"MetricData.member.1.Dimensions.member.1.Name": {"Stage"}, "MetricData.member.1.Dimensions.member.1.Value": {"validate"},
		"MetricData.member.2.MetricName": {"Rows"}, "MetricData.member.2.Values.member.1": {"2"}, "MetricData.member.2.Values.member.2": {"3"},
		"MetricData.member.2.Counts.member.1": {"1"}, "MetricData.member.2.Counts.member.2": {"2"},
		"MetricData.member.2.Timestamp":                {"2026-11-25T10:00:30.500Z"},
		"MetricData.member.2.Dimensions.member.1.Name": {"Stage"}, "MetricData.member.2.Dimensions.member.1.Value": {"validate"},
	})
	if status != http.StatusOK || !strings.HasPrefix(body, `<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>`) {
		t.Fatalf("PutMetricData: %d %s", status, body)
	}

	status, body = queryCall(t, hs.URL, url.Values{"Action": {"ListMetrics"}, "Namespace": {"Sluice"}})
	var list struct {
		Metrics []struct {
			Namespace, MetricName string
			Dimensions            []struct{ Name, Value string } `xml:"Dimensions>member"`
		} `xml:"ListMetricsResult>Metrics>member"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &list); err != nil || status != http.StatusOK || list.RequestID == "" {
		t.Fatalf("ListMetrics: %d %s (%v)", status, body, err)
	}
	if diff := cmp.Diff(len(list.Metrics), 1); diff != "" || list.Metrics[0].MetricName != "Rows" || list.Metrics[0].Dimensions[0].Value != "validate" {
		t.Errorf("ListMetrics: got %+v", list.Metrics)
	}

	status, body = queryCall(t, hs.URL, url.Values{
		"Action": {"GetMetricStatistics"}, "Namespace": {"Sluice"}, "MetricName": {"Rows"},
		"Dimensions.member.1.Name": {"Stage"}, "Dimensions.member.1.Value": {"validate"},
		"StartTime": {"2026-11-25T09:00:00Z"}, "EndTime": {"2026-11-25T11:00:00Z"}, "Period": {"3600"},
		"Statistics.member.1": {"Sum"}, "Statistics.member.2": {"SampleCount"},
	})
	var stats struct {
		Datapoints []struct {
			Timestamp   string
			Sum         float64
			SampleCount float64
		} `xml:"GetMetricStatisticsResult>Datapoints>member"`
	}
	if err := xml.Unmarshal([]byte(body), &stats); err != nil || status != http.StatusOK {
		t.Fatalf("GetMetricStatistics: %d %s (%v)", status, body, err)
	}
	wantStats := []struct {
		Timestamp   string
		Sum         float64
		SampleCount float64
	}{{"2026-11-25T10:00:00.000Z", 5 + 2 + 3*2, 4}}
	if diff := cmp.Diff(stats.Datapoints, wantStats); diff != "" {
		t.Errorf("GetMetricStatistics (-got +want):\n%s\n%s", diff, body)
	}

	status, body = queryCall(t, hs.URL, url.Values{
		"Action": {"GetMetricData"}, "StartTime": {"2026-11-25T09:00:00Z"}, "EndTime": {"2026-11-25T11:00:00Z"},
		"MetricDataQueries.member.1.Id":                                          {"rows"},
		"MetricDataQueries.member.1.MetricStat.Metric.Namespace":                 {"Sluice"},
		"MetricDataQueries.member.1.MetricStat.Metric.MetricName":                {"Rows"},
		"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name":  {"Stage"},
		"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value": {"validate"},
		"MetricDataQueries.member.1.MetricStat.Period":                           {"3600"},
		"MetricDataQueries.member.1.MetricStat.Stat":                             {"Maximum"},
	})
	var data struct {
		Results []struct {
			ID         string    `xml:"Id"`
			StatusCode string    `xml:"StatusCode"`
			Timestamps []string  `xml:"Timestamps>member"`
			Values     []float64 `xml:"Values>member"`
		} `xml:"GetMetricDataResult>MetricDataResults>member"`
	}
	if err := xml.Unmarshal([]byte(body), &data); err != nil || status != http.StatusOK || len(data.Results) != 1 {
		t.Fatalf("GetMetricData: %d %s (%v)", status, body, err)
	}
	if r := data.Results[0]; r.ID != "rows" || r.StatusCode != "Complete" || !cmp.Equal(r.Values, []float64{5}) || !cmp.Equal(r.Timestamps, []string{"2026-11-25T10:00:00.000Z"}) {
		t.Errorf("GetMetricData: got %+v", r)
	}

	// Errors are ErrorResponse documents with the query code and the status of the JSON protocol.
	for _, tt := range []struct {
		form       url.Values
		status     int
		code, text string
	}{
		{url.Values{"Action": {"PutMetricData"}}, 400, "MissingParameter", "The parameter Namespace is required."},
		{url.Values{"Action": {"GetMetricStatistics"}, "Namespace": {"Sluice"}, "MetricName": {"Rows"}, "StartTime": {"2026-11-25T09:00:00Z"},
			"EndTime": {"2026-11-25T11:00:00Z"}, "Period": {"7"}, "Statistics.member.1": {"Sum"}}, 400, "InvalidParameterValue", "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60."},
		{url.Values{"Action": {"PutMetricData"}, "Namespace": {"S"}, "MetricData.member.1.MetricName": {"m"}, "MetricData.member.1.Value": {"x"}}, 400, "SerializationException", ""},
		{url.Values{"Action": {"DescribeAlarms"}}, 400, "InvalidAction", "The action DescribeAlarms is not valid for this web service."},
	} {
		status, body := queryCall(t, hs.URL, tt.form)
		var e struct {
			Type    string `xml:"Error>Type"`
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
			ID      string `xml:"RequestId"`
		}
		if err := xml.Unmarshal([]byte(body), &e); err != nil || status != tt.status || e.Code != tt.code || e.Type != "Sender" || e.ID == "" ||
			(tt.text != "" && e.Message != tt.text) {
			t.Errorf("%s: got %d %s, want %d %s %q", tt.form.Get("Action"), status, body, tt.status, tt.code, tt.text)
		}
	}
}

// The query decoder reads any form without panicking, and what it answers is XML.
func FuzzQueryProtocol(f *testing.F) {
	for _, seed := range []string{
		"Action=PutMetricData&Namespace=S&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1",
		"Action=ListMetrics&Dimensions.member.1.Name=a&Dimensions.member.2.Value=b",
		"Action=GetMetricData&MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.Expression=x&StartTime=1&EndTime=2",
		"Action=GetMetricStatistics&Statistics=&Period=1e3", "Action=%zz",
	} {
		f.Add(seed)
	}
	srv, err := cloudwatch.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form+"&Version="+cloudwatch.QueryVersion))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s: %d %s", form, w.Code, w.Body)
		}
		var v struct{}
		if w.Code != http.StatusNotFound {
			if err := xml.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Fatalf("%s: answer is not XML: %v\n%s", form, err, w.Body)
			}
		}
	})
}
