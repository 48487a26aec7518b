package statetest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// Kind is what a coverage item is: a state, or one of its transitions.
type Kind string

// The coverage item kinds.
const (
	KindState     Kind = "state"     // the state was entered
	KindNext      Kind = "Next"      // the state went on to its Next
	KindEnd       Kind = "End"       // the state ended its machine or branch (End: true)
	KindChoice    Kind = "Choice"    // Choice rule Index was taken
	KindDefault   Kind = "Default"   // no Choice rule matched: the Default was taken
	KindCatch     Kind = "Catch"     // Catcher Index caught the state's error
	KindRetried   Kind = "Retried"   // Retrier Index retried the state at least once
	KindExhausted Kind = "Exhausted" // Retrier Index matched an error after its last attempt
)

// Item is one thing a run can cover: a state, or one of its transitions.
type Item struct {
	State string `json:"state"`
	Kind  Kind   `json:"kind"`
	// Index is the Choice rule, Catcher or Retrier, counted from 0.
	Index int `json:"index"`
	// To is the state the transition leads to ("" for End, Retried, Exhausted and states).
	To string `json:"to,omitempty"`
	// Cases are the cases that covered the item, sorted; none means not covered.
	Cases []string `json:"cases,omitempty"`
}

// Covered reports whether any case covered the item.
func (it Item) Covered() bool { return len(it.Cases) > 0 }

// Label describes the item in one line: "Validate -> IsValid (Next)", "Validate: Retry 0 exhausted".
func (it Item) Label() string {
	switch it.Kind {
	case KindState:
		return it.State
	case KindEnd:
		return it.State + " (End)"
	case KindNext, KindDefault:
		return fmt.Sprintf("%s -> %s (%s)", it.State, it.To, it.Kind)
	case KindChoice:
		return fmt.Sprintf("%s -> %s (Choice rule %d)", it.State, it.To, it.Index)
	case KindCatch:
		return fmt.Sprintf("%s -> %s (Catch %d)", it.State, it.To, it.Index)
	case KindRetried:
		return fmt.Sprintf("%s: Retry %d retried", it.State, it.Index)
	case KindExhausted:
		return fmt.Sprintf("%s: Retry %d exhausted", it.State, it.Index)
	}
	return it.State + " " + string(it.Kind)
}

// Coverage is the coverage of a state machine by a set of runs: every state and every transition of the
// machine and of its Parallel branches and Map item processors, in flow order.
type Coverage struct {
	Items []Item `json:"items"`

	states   map[string]asl.State
	index    map[itemKey]int
	language asl.QueryLanguage          // the machine's
	probes   map[string]*interp.Machine // by Choice state, for choiceTaken
}

type itemKey struct {
	state string
	kind  Kind
	index int
}

// NewCoverage lists the states and transitions of sm, none covered yet.
func NewCoverage(sm *asl.StateMachine) *Coverage {
	c := &Coverage{states: map[string]asl.State{}, index: map[itemKey]int{}, language: sm.QueryLanguage,
		probes: map[string]*interp.Machine{}}
	c.addScope(sm.StartAt, sm.States)
	return c
}

// addScope adds the states of one scope (the machine, a branch, an item processor) in flow order: a
// breadth-first walk from StartAt following each state's transitions in the order they are written, then
// any unreachable states by name.
func (c *Coverage) addScope(start string, states map[string]asl.State) {
	seen := map[string]bool{}
	queue := []string{start}
	var order []string
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] || states[name] == nil {
			continue
		}
		seen[name] = true
		order = append(order, name)
		for _, t := range targets(states[name]) {
			queue = append(queue, t)
		}
	}
	var rest []string
	for name := range states {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range append(order, rest...) {
		c.addState(name, states[name])
	}
}

// targets returns the states s can go to, in the order they are written.
func targets(s asl.State) []string {
	var out []string
	switch s := s.(type) {
	case *asl.Choice:
		for _, r := range s.Choices {
			out = append(out, r.Next)
		}
		if s.Default != "" {
			out = append(out, s.Default)
		}
		return out
	}
	if next, _ := s.Transition(); next != "" {
		out = append(out, next)
	}
	for _, k := range catchers(s) {
		out = append(out, k.Next)
	}
	return out
}

func catchers(s asl.State) []asl.Catcher {
	switch s := s.(type) {
	case *asl.Task:
		return s.Catch
	case *asl.Parallel:
		return s.Catch
	case *asl.Map:
		return s.Catch
	}
	return nil
}

func retriers(s asl.State) []asl.Retrier {
	switch s := s.(type) {
	case *asl.Task:
		return s.Retry
	case *asl.Parallel:
		return s.Retry
	case *asl.Map:
		return s.Retry
	}
	return nil
}

func (c *Coverage) add(it Item) {
	c.index[itemKey{it.State, it.Kind, it.Index}] = len(c.Items)
	c.Items = append(c.Items, it)
}

func (c *Coverage) addState(name string, s asl.State) {
	c.states[name] = s
	c.add(Item{State: name, Kind: KindState})
	switch s := s.(type) {
	case *asl.Choice:
		for i, r := range s.Choices {
			c.add(Item{State: name, Kind: KindChoice, Index: i, To: r.Next})
		}
		if s.Default != "" {
			c.add(Item{State: name, Kind: KindDefault, To: s.Default})
		}
	default:
		if next, end := s.Transition(); end {
			c.add(Item{State: name, Kind: KindEnd})
		} else if next != "" {
			c.add(Item{State: name, Kind: KindNext, To: next})
		}
	}
	for i := range retriers(s) {
		c.add(Item{State: name, Kind: KindRetried, Index: i})
		c.add(Item{State: name, Kind: KindExhausted, Index: i})
	}
	for i, k := range catchers(s) {
		c.add(Item{State: name, Kind: KindCatch, Index: i, To: k.Next})
	}
	switch s := s.(type) {
	case *asl.Parallel:
		for _, b := range s.Branches {
			c.addScope(b.StartAt, b.States)
		}
	case *asl.Map:
		p := s.ItemProcessor
		if p == nil {
			p = s.Iterator
		}
		if p != nil {
			c.addScope(p.StartAt, p.States)
		}
	}
}

// mark records that testCase covered an item; unknown items are ignored.
func (c *Coverage) mark(testCase, state string, kind Kind, index int) {
	i, ok := c.index[itemKey{state, kind, index}]
	if !ok {
		return
	}
	cases := c.Items[i].Cases
	for _, n := range cases {
		if n == testCase {
			return
		}
	}
	cases = append(cases, testCase)
	sort.Strings(cases)
	c.Items[i].Cases = cases
}

// Totals counts the items: states and transitions, covered and all.
type Totals struct {
	States, StatesCovered           int
	Transitions, TransitionsCovered int
}

// Percent is the share of all items (states and transitions) covered, 0 to 100.
func (t Totals) Percent() float64 {
	all := t.States + t.Transitions
	if all == 0 {
		return 100
	}
	return 100 * float64(t.StatesCovered+t.TransitionsCovered) / float64(all)
}

// Totals counts the covered items.
func (c *Coverage) Totals() Totals {
	var t Totals
	for _, it := range c.Items {
		if it.Kind == KindState {
			t.States++
			if it.Covered() {
				t.StatesCovered++
			}
			continue
		}
		t.Transitions++
		if it.Covered() {
			t.TransitionsCovered++
		}
	}
	return t
}

// Text renders the coverage as text: one line per state, its transitions indented below it, each marked
// [x] covered (with the cases that covered it) or [ ] not, and a summary line.
func (c *Coverage) Text() string {
	var b strings.Builder
	for _, it := range c.Items {
		mark := "[ ]"
		if it.Covered() {
			mark = "[x]"
		}
		indent := "  "
		if it.Kind != KindState {
			indent = "      "
		}
		fmt.Fprintf(&b, "%s%s %s", indent, mark, it.Label())
		if it.Covered() {
			fmt.Fprintf(&b, "  (%s)", strings.Join(it.Cases, ", "))
		}
		b.WriteByte('\n')
	}
	t := c.Totals()
	fmt.Fprintf(&b, "coverage: %.1f%% (states %d/%d, transitions %d/%d)\n",
		t.Percent(), t.StatesCovered, t.States, t.TransitionsCovered, t.Transitions)
	return b.String()
}
