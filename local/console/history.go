package console

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Event is one event of GetExecutionHistory as the API answered it.
type Event struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            string
	// DetailsField is the name of the event's details member ("taskFailedEventDetails"); Details its
	// common fields; Raw the whole event as the API answered it.
	DetailsField string
	Details      eventDetails
	Raw          json.RawMessage
}

// eventDetails holds the fields the *EventDetails members share; each event sets those of its type.
type eventDetails struct {
	Name         string `json:"name"`
	Input        string `json:"input"`
	Output       string `json:"output"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
	Resource     string `json:"resource"`
	ResourceType string `json:"resourceType"`
	Parameters   string `json:"parameters"`
	Index        *int   `json:"index"`
	Length       *int   `json:"length"`
}

// epochTime is a timestamp in epoch seconds, as the AWS JSON protocols render it.
type epochTime time.Time

func (t *epochTime) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(bytes.Trim(b, `"`)), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = epochTime(time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC())
	return nil
}

// decodeEvent reads one history event of the API's answer.
func decodeEvent(raw json.RawMessage) (Event, error) {
	var head struct {
		ID              int64     `json:"id"`
		PreviousEventID int64     `json:"previousEventId"`
		Timestamp       epochTime `json:"timestamp"`
		Type            string    `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return Event{}, err
	}
	ev := Event{ID: head.ID, PreviousEventID: head.PreviousEventID, Timestamp: time.Time(head.Timestamp), Type: head.Type, Raw: raw}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Event{}, err
	}
	for k, v := range fields {
		if strings.HasSuffix(k, "EventDetails") {
			ev.DetailsField = k
			_ = json.Unmarshal(v, &ev.Details)
		}
	}
	return ev, nil
}

// DetailsJSON is the event's details member, indented, as the API answered it ("" when it has none).
func (ev Event) DetailsJSON() string {
	if ev.DetailsField == "" {
		return ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(ev.Raw, &fields) != nil {
		return ""
	}
	return indentJSON(string(fields[ev.DetailsField]))
}

// indentJSON indents JSON text, and indents JSON documents found in string values one level deep (the
// history carries inputs and outputs as JSON text); text that is not JSON is returned as it is.
func indentJSON(s string) string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(s), "", "  ") != nil {
		return s
	}
	return buf.String()
}

// isFailureType reports event types that end a task attempt or a state with an error.
func isFailureType(t string) bool {
	switch t {
	case "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
		"LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed", "LambdaFunctionScheduleFailed",
		"ParallelStateFailed", "MapStateFailed", "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed":
		return true
	}
	return false
}

func isScheduleType(t string) bool {
	switch t {
	case "TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled":
		return true
	}
	return false
}

func isTaskSuccessType(t string) bool {
	switch t {
	case "TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded":
		return true
	}
	return false
}
