package statetest

import (
	"context"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// Names of the states a Choice probe leads to, one per rule and one for the Default.
const (
	probeRule    = "statetest-rule-"
	probeDefault = "statetest-default"
)

// choiceTaken tells which rule of a Choice state an input takes (-1: the Default), by running the state
// through the engine's TestState with every rule leading to a state of its own. It answers false when
// that fails: the rules read workflow variables, which the history does not record, or the input is not
// JSON. Probes are compiled once per Choice state.
func (c *Coverage) choiceTaken(state, input string) (int, bool) {
	m, ok := c.probes[state]
	if !ok {
		m = c.compileProbe(state)
		c.probes[state] = m
	}
	if m == nil {
		return 0, false
	}
	value, err := decodeInput(input)
	if err != nil {
		return 0, false
	}
	r, err := m.TestState(context.Background(), interp.TestStateRequest{StateName: state, Input: value})
	if err != nil || r.Error != "" {
		return 0, false
	}
	if r.NextState == probeDefault {
		return -1, true
	}
	if k, err := strconv.Atoi(strings.TrimPrefix(r.NextState, probeRule)); err == nil && strings.HasPrefix(r.NextState, probeRule) {
		return k, true
	}
	return 0, false
}

// compileProbe builds the machine {state (rule i -> probeRule+i, Default -> probeDefault), one Succeed
// state per target}; nil when it does not compile.
func (c *Coverage) compileProbe(state string) *interp.Machine {
	ch, ok := c.states[state].(*asl.Choice)
	if !ok {
		return nil
	}
	probe := *ch
	probe.Choices = append([]asl.ChoiceRule(nil), ch.Choices...)
	states := map[string]asl.State{state: &probe}
	for i := range probe.Choices {
		probe.Choices[i].Next = probeRule + strconv.Itoa(i)
		states[probe.Choices[i].Next] = &asl.Succeed{}
	}
	if probe.Default != "" {
		probe.Default = probeDefault
		states[probeDefault] = &asl.Succeed{}
	}
	m, err := interp.New(&asl.StateMachine{StartAt: state, States: states, QueryLanguage: c.language})
	if err != nil {
		return nil
	}
	return m
}
