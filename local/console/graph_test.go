package console

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

func parseFile(t *testing.T, path string) *asl.StateMachine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := asl.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return sm
}

func TestLayoutEveryState(t *testing.T) {
	g := Layout(parseFile(t, "testdata/every-state.asl.json"))
	nodes := map[string]*GraphNode{}
	for _, n := range g.Nodes {
		if nodes[n.Name] != nil {
			t.Errorf("state %s drawn twice", n.Name)
		}
		nodes[n.Name] = n
	}
	var got []string
	for n := range nodes {
		got = append(got, n)
	}
	slices.Sort(got)
	want := []string{"Broken", "Done", "EachItem", "FanOut", "Left", "Pause", "Prepare", "Right", "RightDone", "Route", "Work"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("states (-got +want):\n%s", diff)
	}
	inside := func(child, parent string) bool {
		c, p := nodes[child], nodes[parent]
		return c.X >= p.X && c.Y >= p.Y && c.X+c.W <= p.X+p.W && c.Y+c.H <= p.Y+p.H
	}
	for child, parent := range map[string]string{"Left": "FanOut", "Right": "FanOut", "RightDone": "FanOut", "Work": "EachItem"} {
		if !inside(child, parent) {
			t.Errorf("%s is not drawn inside %s", child, parent)
		}
	}
	if !nodes["FanOut"].Composite || !nodes["EachItem"].Composite || nodes["Work"].Composite {
		t.Error("only Parallel and Map states are boxes")
	}
	// The two branches side by side: Left beside Right, not below it.
	if l, r := nodes["Left"], nodes["Right"]; l.X+l.W > r.X && r.X+r.W > l.X {
		t.Errorf("branches overlap horizontally: Left %v, Right %v", l, r)
	}
	// Layers go down: a state is below the states that lead to it (except along a loop).
	for _, pair := range [][2]string{{"Prepare", "Route"}, {"Route", "FanOut"}, {"Route", "Pause"}, {"FanOut", "Done"}, {"Right", "RightDone"}} {
		if a, b := nodes[pair[0]], nodes[pair[1]]; a.Y+a.H > b.Y {
			t.Errorf("%s is not above %s", pair[0], pair[1])
		}
	}
	// No two states of one scope overlap.
	for _, a := range g.Nodes {
		for _, b := range g.Nodes {
			if a == b || a.Depth != b.Depth || a.Composite || b.Composite {
				continue
			}
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("%s and %s overlap", a.Name, b.Name)
			}
		}
	}
	edges := map[string]*GraphEdge{}
	for _, e := range g.Edges {
		edges[e.From+">"+e.To] = e
	}
	if e := edges["Pause>Prepare"]; e == nil || !e.Back {
		t.Errorf("the loop Pause -> Prepare is not a back edge: %+v", e)
	}
	if e := edges["Route>FanOut"]; e == nil || e.Label != `$.kind == "fan"` {
		t.Errorf("Route -> FanOut label: %+v", e)
	}
	if e := edges["Route>EachItem"]; e == nil || !strings.HasPrefix(e.Label, "($.n > 3 and not ($.skip IsPresent))") && !strings.HasPrefix(e.Label, "($.n > 3 and not") {
		t.Errorf("Route -> EachItem label: %+v", e)
	}
	if e := edges["Route>Pause"]; e == nil || e.Label != "Default" {
		t.Errorf("Route -> Pause: %+v", e)
	}
	if e := edges["FanOut>Broken"]; e == nil || e.Kind != "catch" || e.Label != "" || e.Title != "Catch States.ALL" {
		t.Errorf("FanOut -> Broken: %+v", e)
	}
	// Labels do not overlap.
	for _, a := range g.Edges {
		for _, b := range g.Edges {
			if a == b || a.Label == "" || b.Label == "" {
				continue
			}
			if a.LabelX < b.LabelX+b.LabelW && b.LabelX < a.LabelX+a.LabelW && a.LabelY < b.LabelY+18 && b.LabelY < a.LabelY+18 {
				t.Errorf("labels %q and %q overlap", a.Label, b.Label)
			}
		}
	}
	for _, n := range g.Nodes {
		if n.X < 0 || n.Y < 0 || n.X+n.W > g.Width || n.Y+n.H > g.Height {
			t.Errorf("%s is outside the drawing (%v in %vx%v)", n.Name, n, g.Width, g.Height)
		}
	}
}

func TestRuleText(t *testing.T) {
	tests := []struct {
		rule asl.ChoiceRule
		want string
	}{
		{asl.ChoiceRule{Variable: "$.valid", Operator: asl.BooleanEquals, Value: true}, "$.valid == true"},
		{asl.ChoiceRule{Variable: "$.n", Operator: asl.NumericLessThanEquals, Value: 3}, "$.n <= 3"},
		{asl.ChoiceRule{Variable: "$.a", Operator: asl.StringEqualsPath, Value: "$.b"}, "$.a == $.b"},
		{asl.ChoiceRule{Variable: "$.k", Operator: asl.StringMatches, Value: "log-*"}, `$.k matches "log-*"`},
		{asl.ChoiceRule{Variable: "$.x", Operator: asl.IsPresent, Value: false}, "not $.x IsPresent"},
		{asl.ChoiceRule{Or: []asl.ChoiceRule{{Variable: "$.a", Operator: asl.NumericGreaterThan, Value: 1}, {Variable: "$.b", Operator: asl.IsNull, Value: true}}}, "($.a > 1 or $.b IsNull)"},
		{asl.ChoiceRule{Condition: "{% $states.input.n > 3 %}"}, "$states.input.n > 3"},
	}
	for _, tt := range tests {
		if got := ruleText(tt.rule); got != tt.want {
			t.Errorf("ruleText(%+v) = %q, want %q", tt.rule, got, tt.want)
		}
	}
}

func FuzzLayout(f *testing.F) {
	b, err := os.ReadFile("testdata/every-state.asl.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}`))
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"Next":"B"}],"Default":"A"},"B":{"Type":"Succeed"}}}`))
	f.Fuzz(func(t *testing.T, def []byte) {
		sm, err := asl.Parse(def)
		if err != nil {
			return
		}
		g := Layout(sm)
		for _, n := range g.Nodes {
			if n.W <= 0 || n.H <= 0 || n.X < 0 || n.Y < 0 || n.X+n.W > g.Width+0.01 || n.Y+n.H > g.Height+0.01 {
				t.Fatalf("node %s at %v outside %vx%v", n.Name, n, g.Width, g.Height)
			}
		}
	})
}
