package console

import (
	"net/http"
	"time"
)

// actionRedriveExecution redrives a failed, aborted or timed-out execution (RedriveExecution): it continues
// from the state that did not succeed, and the page shows it running again. The button is on an execution
// page whose DescribeExecution says REDRIVABLE; the service still has the last word (ExecutionNotRedrivable).
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
func (c *Console) actionRedriveExecution(w http.ResponseWriter, r *http.Request) {
	arn := r.PostFormValue("executionArn")
	if err := c.sfn.Call(r.Context(), "AWSStepFunctions.RedriveExecution", map[string]any{"executionArn": arn}, nil); err != nil {
		c.fail(w, r, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, c.ExecutionPath(arn), http.StatusSeeOther)
}

// Time is the instant, for templates.
func (t epochTime) Time() time.Time { return time.Time(t) }
