package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

type startData struct {
	Machines []machineItem
	Machine  string
	Name     string
	Input    string
}

// startForm is the page to start an execution, optionally prefilled with another execution's input.
func (c *Console) startForm(w http.ResponseWriter, r *http.Request) {
	machines, err := c.listMachines(r.Context())
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	d := startData{Machines: machines, Machine: r.URL.Query().Get("sm"), Input: "{}"}
	if from := r.URL.Query().Get("from"); from != "" {
		if ex, err := c.describe(r.Context(), from); err == nil {
			d.Machine, d.Input = ex.StateMachineArn, indentJSON(ex.Input)
		}
	}
	if d.Machine == "" && len(machines) > 0 {
		d.Machine = machines[0].StateMachineArn
	}
	c.render(w, r, "start", page{Title: "Start execution", Nav: "executions", Data: d})
}

// actionStart starts an execution (StartExecution) and shows it.
func (c *Console) actionStart(w http.ResponseWriter, r *http.Request) {
	machine, input, name := r.PostFormValue("stateMachineArn"), r.PostFormValue("input"), strings.TrimSpace(r.PostFormValue("name"))
	if strings.TrimSpace(input) == "" {
		input = "{}"
	}
	if !json.Valid([]byte(input)) {
		c.fail(w, r, http.StatusBadRequest, errors.New("the input is not valid JSON"))
		return
	}
	in := map[string]any{"stateMachineArn": machine, "input": input}
	if name != "" {
		in["name"] = name
	}
	var out struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := c.sfn.Call(r.Context(), "AWSStepFunctions.StartExecution", in, &out); err != nil {
		c.fail(w, r, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, c.ExecutionPath(out.ExecutionArn), http.StatusSeeOther)
}

// actionStop stops a running execution (StopExecution).
func (c *Console) actionStop(w http.ResponseWriter, r *http.Request) {
	arn := r.PostFormValue("executionArn")
	in := map[string]any{"executionArn": arn, "error": "Console.Stopped", "cause": "stopped from the sluice console"}
	if err := c.sfn.Call(r.Context(), "AWSStepFunctions.StopExecution", in, nil); err != nil {
		c.fail(w, r, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, c.ExecutionPath(arn), http.StatusSeeOther)
}

// actionRerun starts a new execution of the same state machine with the same input.
func (c *Console) actionRerun(w http.ResponseWriter, r *http.Request) {
	ex, err := c.describe(r.Context(), r.PostFormValue("executionArn"))
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err)
		return
	}
	var out struct {
		ExecutionArn string `json:"executionArn"`
	}
	in := map[string]any{"stateMachineArn": ex.StateMachineArn, "input": ex.Input}
	if err := c.sfn.Call(r.Context(), "AWSStepFunctions.StartExecution", in, &out); err != nil {
		c.fail(w, r, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, c.ExecutionPath(out.ExecutionArn), http.StatusSeeOther)
}

// actionRedrive delivers dead letters again (all of them when no id is given).
func (c *Console) actionRedrive(w http.ResponseWriter, r *http.Request) {
	if c.dead == nil {
		c.fail(w, r, http.StatusNotFound, errors.New("no dead-letter list"))
		return
	}
	_ = r.ParseForm()
	if _, err := c.dead.Redrive(r.Context(), r.PostForm["id"]...); err != nil {
		c.fail(w, r, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, c.prefix+"dead-letters?redriven=1", http.StatusSeeOther)
}
