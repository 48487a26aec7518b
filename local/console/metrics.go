package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"
)

// The metrics page draws the template's CloudWatch dashboard: the same widgets, the same metrics, stat
// and period, read from the local CloudWatch with GetMetricData.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html

const (
	chartW, chartH = 520.0, 200.0
	chartPadL      = 48.0
	chartPadB      = 24.0
)

// metricsWindow is how far back the charts go.
var metricsWindows = []string{"15m", "1h", "3h", "12h", "24h"}

type dashboardBody struct {
	Widgets []struct {
		Type       string `json:"type"`
		X          int    `json:"x"`
		Y          int    `json:"y"`
		Width      int    `json:"width"`
		Height     int    `json:"height"`
		Properties struct {
			Title   string            `json:"title"`
			View    string            `json:"view"`
			Stat    string            `json:"stat"`
			Period  int               `json:"period"`
			Metrics []json.RawMessage `json:"metrics"`
		} `json:"properties"`
	} `json:"widgets"`
}

type metricsData struct {
	Windows []string
	Window  string
	Charts  []Chart
	Note    string
}

// Chart is one widget drawn.
type Chart struct {
	Title, Stat string
	Period      int
	W, H        float64
	Series      []Series
	YTicks      []GraphLabel
	XTicks      []GraphLabel
	Empty       bool
	Error       string
}

// Series is one metric of a widget.
type Series struct {
	Label  string
	Color  int
	Points string // SVG polyline points
	Dots   []GraphLabel
	Last   string
	Total  string
}

func (c *Console) metrics(w http.ResponseWriter, r *http.Request) {
	d := metricsData{Windows: metricsWindows, Window: r.URL.Query().Get("window")}
	window, err := time.ParseDuration(d.Window)
	if err != nil || window <= 0 || window > 24*time.Hour {
		d.Window, window = "1h", time.Hour
	}
	if c.dashboard == "" || c.cw == nil {
		d.Note = "The template declares no dashboard, or no CloudWatch is configured."
		c.render(w, r, "metrics", page{Title: "Metrics", Nav: "metrics", Data: d})
		return
	}
	var body dashboardBody
	if err := json.Unmarshal([]byte(c.dashboard), &body); err != nil {
		c.fail(w, r, http.StatusInternalServerError, fmt.Errorf("the dashboard body: %w", err))
		return
	}
	widgets := body.Widgets
	sort.SliceStable(widgets, func(i, j int) bool {
		if widgets[i].Y != widgets[j].Y {
			return widgets[i].Y < widgets[j].Y
		}
		return widgets[i].X < widgets[j].X
	})
	end := c.now().Truncate(time.Second).Add(time.Second)
	start := end.Add(-window)
	for _, wd := range widgets {
		if wd.Type != "metric" {
			continue
		}
		p := wd.Properties
		ch := Chart{Title: p.Title, Stat: p.Stat, Period: p.Period, W: chartW, H: chartH}
		if ch.Period <= 0 {
			ch.Period = 300
		}
		queries, labels := metricQueries(p.Metrics, p.Stat, ch.Period)
		res, err := c.metricData(r.Context(), queries, start, end)
		if err != nil {
			ch.Error = err.Error()
		}
		drawChart(&ch, labels, res, start, end)
		d.Charts = append(d.Charts, ch)
	}
	c.render(w, r, "metrics", page{Title: "Metrics", Nav: "metrics", Data: d})
}

// metricQueries turns a widget's metrics arrays ([namespace, name, dimName, dimValue, ..., {options}])
// into GetMetricData queries.
func metricQueries(metrics []json.RawMessage, stat string, period int) ([]map[string]any, []string) {
	var qs []map[string]any
	var labels []string
	for _, raw := range metrics {
		var parts []any
		if json.Unmarshal(raw, &parts) != nil || len(parts) < 2 {
			continue
		}
		var strs []string
		st, label := stat, ""
		for _, p := range parts {
			switch v := p.(type) {
			case string:
				strs = append(strs, v)
			case map[string]any:
				if s, ok := v["stat"].(string); ok {
					st = s
				}
				if s, ok := v["label"].(string); ok {
					label = s
				}
			}
		}
		if len(strs) < 2 {
			continue
		}
		var dims []map[string]string
		for j := 2; j+1 < len(strs); j += 2 {
			dims = append(dims, map[string]string{"Name": strs[j], "Value": strs[j+1]})
		}
		if label == "" {
			label = strs[1]
			if len(strs) >= 4 {
				label += " " + nameOf(strs[3])
			}
		}
		if st == "" {
			st = "Average"
		}
		qs = append(qs, map[string]any{
			"Id": fmt.Sprintf("m%d", len(qs)),
			"MetricStat": map[string]any{
				"Metric": map[string]any{"Namespace": strs[0], "MetricName": strs[1], "Dimensions": dims},
				"Period": period, "Stat": st,
			},
		})
		labels = append(labels, label)
	}
	return qs, labels
}

type metricResult struct {
	ID         string      `json:"Id"`
	Timestamps []epochTime `json:"Timestamps"`
	Values     []float64   `json:"Values"`
}

func (c *Console) metricData(ctx context.Context, queries []map[string]any, start, end time.Time) ([]metricResult, error) {
	if len(queries) == 0 {
		return nil, errors.New("the widget has no metrics")
	}
	in := map[string]any{"MetricDataQueries": queries, "StartTime": start.Unix(), "EndTime": end.Unix(), "ScanBy": "TimestampAscending"}
	var out struct {
		MetricDataResults []metricResult `json:"MetricDataResults"`
	}
	if err := c.cw.Call(ctx, "GraniteServiceVersion20100801.GetMetricData", in, &out); err != nil {
		return nil, err
	}
	return out.MetricDataResults, nil
}

func drawChart(ch *Chart, labels []string, res []metricResult, start, end time.Time) {
	maxV := 0.0
	seen := false
	for _, r := range res {
		for _, v := range r.Values {
			maxV = math.Max(maxV, v)
			seen = true
		}
	}
	ch.Empty = !seen
	if maxV <= 0 {
		maxV = 1
	}
	maxV = niceCeil(maxV)
	plotW, plotH := ch.W-chartPadL-10, ch.H-chartPadB-10
	x := func(t time.Time) float64 {
		return chartPadL + plotW*float64(t.Sub(start))/float64(end.Sub(start))
	}
	y := func(v float64) float64 { return 10 + plotH*(1-v/maxV) }
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		ch.YTicks = append(ch.YTicks, GraphLabel{X: chartPadL - 6, Y: y(v), Text: trimFloat(v)})
	}
	for i := 0; i <= 3; i++ {
		t := start.Add(time.Duration(float64(end.Sub(start)) * float64(i) / 3))
		tick := GraphLabel{X: x(t), Y: ch.H - 6, Text: t.Local().Format("15:04")}
		if i == 3 {
			tick.X -= 14 // inside the chart
		}
		ch.XTicks = append(ch.XTicks, tick)
	}
	for i, label := range labels {
		s := Series{Label: label, Color: i % 8}
		var r *metricResult
		for k := range res {
			if res[k].ID == fmt.Sprintf("m%d", i) {
				r = &res[k]
			}
		}
		if r != nil {
			var pts []string
			total := 0.0
			for j, ts := range r.Timestamps {
				if j >= len(r.Values) {
					break
				}
				px, py := x(time.Time(ts)), y(r.Values[j])
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
				s.Dots = append(s.Dots, GraphLabel{X: px, Y: py, Text: fmt.Sprintf("%s: %s at %s", label, trimFloat(r.Values[j]), time.Time(ts).Local().Format("15:04:05"))})
				total += r.Values[j]
			}
			s.Points = strings.Join(pts, " ")
			if n := len(r.Values); n > 0 {
				s.Last = trimFloat(r.Values[n-1])
				s.Total = trimFloat(total)
			}
		}
		ch.Series = append(ch.Series, s)
	}
}

func niceCeil(v float64) float64 {
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*exp {
			return m * exp
		}
	}
	return 10 * exp
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e12 {
		return fmt.Sprintf("%d", int64(v))
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}
