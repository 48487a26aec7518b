package gen

import (
	"encoding/json"
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/cloudwatch"

	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/process"
	"github.com/sluicehq/sluice/tasks/store"
)

// validateStage is the Stage dimension of the validate task's metrics (tasks/validate emits under it).
const validateStage = "validate"

// Dashboard body structure: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
type dashboardBody struct {
	Widgets []widget `json:"widgets"`
}

type widget struct {
	Type       string           `json:"type"`
	X          int              `json:"x"`
	Y          int              `json:"y"`
	Width      int              `json:"width"`
	Height     int              `json:"height"`
	Properties widgetProperties `json:"properties"`
}

type widgetProperties struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	View    string  `json:"view"`
	Stat    string  `json:"stat"`
	Period  int     `json:"period"`
	Metrics [][]any `json:"metrics"`
}

// addDashboard adds a dashboard of the pipeline's executions, functions and event delivery. The body is
// a Fn::Sub string: ${LogicalId} placeholders become the resources' names and ARNs.
func addDashboard(t *cloudformation.Template, c Config) error {
	const width, height = 12, 6
	var widgets []widget
	add := func(title, stat string, metrics [][]any) {
		i := len(widgets)
		widgets = append(widgets, widget{
			Type: "metric", X: (i % 2) * width, Y: (i / 2) * height, Width: width, Height: height,
			Properties: widgetProperties{
				Title: title, Region: "${AWS::Region}", View: "timeSeries", Stat: stat,
				Period: c.Alarms.PeriodSeconds, Metrics: metrics,
			},
		})
	}
	machine := func(metric string) []any {
		return []any{"AWS/States", metric, "StateMachineArn", "${" + LogicalStateMachine + "}"}
	}
	add("Executions", "Sum", [][]any{
		machine("ExecutionsStarted"), machine("ExecutionsSucceeded"), machine("ExecutionsFailed"),
		machine("ExecutionsTimedOut"), machine("ExecutionsAborted"), machine("ExecutionThrottled"),
	})
	add("Execution time (ms)", "p99", [][]any{machine("ExecutionTime")})
	for _, m := range []struct{ title, metric, stat string }{
		{"Function invocations", "Invocations", "Sum"},
		{"Function errors", "Errors", "Sum"},
		{"Function throttles", "Throttles", "Sum"},
		{"Function duration p99 (ms)", "Duration", "p99"},
	} {
		var metrics [][]any
		for _, f := range c.Functions() {
			metrics = append(metrics, []any{"AWS/Lambda", m.metric, "FunctionName", "${" + f.LogicalID + "}"})
		}
		add(m.title, m.stat, metrics)
	}
	add("Object Created events", "Sum", [][]any{
		{"AWS/Events", "MatchedEvents", "RuleName", "${" + LogicalRule + "}"},
		{"AWS/Events", "Invocations", "RuleName", "${" + LogicalRule + "}"},
		{"AWS/Events", "FailedInvocations", "RuleName", "${" + LogicalRule + "}"},
	})
	// The tasks' own Embedded Metric Format metrics (package tasks/emf): namespace Sluice, dimension Stage.
	sluice := func(stage, metric string) []any {
		return []any{emf.Namespace, metric, emf.DimensionStage, stage}
	}
	add("Objects", "Sum", [][]any{
		sluice(validateStage, "ObjectsValidated"), sluice(validateStage, "ObjectsRejected"),
		sluice(process.Stage, process.MetricProcessed),
		sluice(store.Stage, store.MetricStored), sluice(store.Stage, store.MetricDuplicate),
		sluice(store.Stage, store.MetricQuarantined), sluice(store.Stage, store.MetricFailed),
	})
	add("Undelivered events (dead-letter queue)", "Maximum", [][]any{
		{"AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${" + LogicalDeadLetterQueue + ".QueueName}"},
	})
	body, err := json.Marshal(dashboardBody{Widgets: widgets})
	if err != nil {
		return fmt.Errorf("encode dashboard body: %w", err)
	}
	t.Resources[LogicalDashboard] = &cloudwatch.Dashboard{DashboardBody: cloudformation.Sub(string(body))}
	return nil
}
