package console

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sluicehq/sluice/asl"
)

// The graph of a definition is laid out in layers, top to bottom, as the AWS console draws it: each state
// on the layer after the longest forward path that reaches it, the states of a layer side by side in the
// order a depth-first walk from StartAt meets them (then nudged towards their predecessors), Parallel
// branches and Map iterators laid out the same way inside their state's box, side by side. Edges that go
// back up (loops) are routed along the right-hand side.

const (
	nodeH      = 38  // a simple state's height
	layerGap   = 72  // vertical space between layers (room for an edge label)
	nodeGap    = 56  // horizontal space between states of a layer
	boxPad     = 16  // padding inside a Parallel or Map box
	boxHeader  = 30  // the title band of a Parallel or Map box
	markerSize = 22  // the Start and End circles
	minNodeW   = 120 // a simple state's minimum width
	charW      = 7.2 // the average width of a label character at 13px
)

// Graph is a laid-out definition.
type Graph struct {
	Width, Height float64
	Nodes         []*GraphNode
	Edges         []*GraphEdge
	Markers       []GraphMarker
}

// GraphNode is one state in the graph.
type GraphNode struct {
	Name, Type   string
	X, Y, W, H   float64
	Composite    bool // a Parallel or Map box, drawn behind its children
	Depth        int  // nesting depth
	Status       string
	Retries      int
	Label        string // the name, shortened to fit
	TypeLabel    string
	ChildScopes  int
	Unreachable  bool
	BranchLabels []GraphLabel
}

// GraphLabel is a caption placed in the graph.
type GraphLabel struct {
	X, Y float64
	Text string
}

// GraphEdge is one transition.
type GraphEdge struct {
	From, To string
	Path     string // SVG path data
	Kind     string // "next", "choice", "default", "catch", "start", "end"
	Label    string // drawn on the edge (Choice rules)
	Title    string // the tooltip (Choice rules, a Catch's errors)
	LabelX   float64
	LabelY   float64
	LabelW   float64
	Back     bool
}

// GraphMarker is a Start or End circle.
type GraphMarker struct {
	X, Y  float64
	Start bool
}

// scope is one set of states: the machine's, a Parallel branch's or a Map iterator's.
type scope struct {
	startAt string
	states  map[string]asl.State
}

// edgeSpec is an unlaid transition.
type edgeSpec struct {
	from, to, kind, label string
}

// laid is the layout of one scope, relative to its top-left corner.
type laid struct {
	w, h    float64
	nodes   []*GraphNode
	edges   []*GraphEdge
	markers []GraphMarker
}

// Layout lays out a parsed definition.
func Layout(sm *asl.StateMachine) *Graph {
	l := layoutScope(scope{sm.StartAt, sm.States}, 0)
	g := &Graph{Width: l.w + 2*boxPad, Height: l.h + 2*boxPad}
	shift(&l, boxPad, boxPad)
	g.Nodes, g.Edges, g.Markers = l.nodes, l.edges, l.markers
	// Composite boxes first, so that their children are drawn over them.
	sort.SliceStable(g.Nodes, func(i, j int) bool { return g.Nodes[i].Depth < g.Nodes[j].Depth })
	return g
}

func shift(l *laid, dx, dy float64) {
	for _, n := range l.nodes {
		n.X += dx
		n.Y += dy
		for i := range n.BranchLabels {
			n.BranchLabels[i].X += dx
			n.BranchLabels[i].Y += dy
		}
	}
	for _, e := range l.edges {
		e.Path = shiftPath(e.Path, dx, dy)
		e.LabelX += dx
		e.LabelY += dy
	}
	for i := range l.markers {
		l.markers[i].X += dx
		l.markers[i].Y += dy
	}
}

// successors lists a state's transitions in the order they are drawn.
func successors(name string, st asl.State) []edgeSpec {
	var out []edgeSpec
	switch s := st.(type) {
	case *asl.Choice:
		for _, r := range s.Choices {
			out = append(out, edgeSpec{name, r.Next, "choice", ruleText(r)})
		}
		if s.Default != "" {
			out = append(out, edgeSpec{name, s.Default, "default", "Default"})
		}
	default:
		if next, _ := st.Transition(); next != "" {
			out = append(out, edgeSpec{name, next, "next", ""})
		}
	}
	for _, c := range catchers(st) {
		out = append(out, edgeSpec{name, c.Next, "catch", "Catch " + strings.Join(c.ErrorEquals, ", ")})
	}
	return out
}

func catchers(st asl.State) []asl.Catcher {
	switch s := st.(type) {
	case *asl.Task:
		return s.Catch
	case *asl.Parallel:
		return s.Catch
	case *asl.Map:
		return s.Catch
	}
	return nil
}

func retriers(st asl.State) []asl.Retrier {
	switch s := st.(type) {
	case *asl.Task:
		return s.Retry
	case *asl.Parallel:
		return s.Retry
	case *asl.Map:
		return s.Retry
	}
	return nil
}

// terminal reports whether a state ends its scope.
func terminal(st asl.State) bool {
	switch st.(type) {
	case *asl.Succeed, *asl.Fail:
		return true
	}
	_, end := st.Transition()
	return end
}

// children lists the scopes nested in a Parallel or Map state, with their captions.
func children(st asl.State) ([]scope, []string) {
	switch s := st.(type) {
	case *asl.Parallel:
		var out []scope
		var names []string
		for i, b := range s.Branches {
			out = append(out, scope{b.StartAt, b.States})
			names = append(names, fmt.Sprintf("Branch %d", i+1))
		}
		return out, names
	case *asl.Map:
		p := s.ItemProcessor
		if p == nil {
			p = s.Iterator
		}
		if p != nil {
			return []scope{{p.StartAt, p.States}}, []string{"Iterator"}
		}
	}
	return nil, nil
}

func layoutScope(sc scope, depth int) laid {
	// Depth-first order from StartAt; a transition to a state on the walk's stack is a back edge.
	order := []string{}
	seen := map[string]bool{}
	onStack := map[string]bool{}
	back := map[[2]string]bool{}
	var walk func(string)
	walk = func(n string) {
		st, ok := sc.states[n]
		if !ok || seen[n] {
			return
		}
		seen[n], onStack[n] = true, true
		order = append(order, n)
		for _, e := range successors(n, st) {
			if onStack[e.to] {
				back[[2]string{e.from, e.to}] = true
			}
			walk(e.to)
		}
		onStack[n] = false
	}
	walk(sc.startAt)
	unreachable := map[string]bool{}
	var rest []string
	for n := range sc.states {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	for _, n := range rest {
		if !seen[n] {
			unreachable[n] = true
			walk(n)
		}
	}

	// Layers: the longest forward path from the start (states are visited in a topological order of the
	// forward edges when relaxed repeatedly; the graph is small).
	layer := map[string]int{}
	for _, n := range order {
		layer[n] = 0
	}
	for range len(order) {
		changed := false
		for _, n := range order {
			for _, e := range successors(n, sc.states[n]) {
				if _, ok := sc.states[e.to]; !ok || back[[2]string{e.from, e.to}] || e.to == n {
					continue
				}
				if layer[e.to] < layer[n]+1 {
					layer[e.to] = layer[n] + 1
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	nLayers := 0
	for _, n := range order {
		nLayers = max(nLayers, layer[n]+1)
	}
	rows := make([][]string, nLayers)
	for _, n := range order {
		rows[layer[n]] = append(rows[layer[n]], n)
	}

	// Size every node; a composite node's size is its children's layout.
	nodes := map[string]*GraphNode{}
	inner := map[string][]laid{}
	for _, n := range order {
		st := sc.states[n]
		node := &GraphNode{Name: n, Type: string(st.Type()), Depth: depth, Unreachable: unreachable[n], TypeLabel: typeLabel(st)}
		node.Label = n
		if scopes, captions := children(st); scopes != nil {
			node.Composite = true
			node.ChildScopes = len(scopes)
			var w, h float64
			for i, c := range scopes {
				cl := layoutScope(c, depth+1)
				inner[n] = append(inner[n], cl)
				if i > 0 {
					w += nodeGap
				}
				w += cl.w
				h = max(h, cl.h)
				_ = captions
			}
			node.W = max(w+2*boxPad, labelWidth(n)+2*boxPad)
			node.H = h + 2*boxPad + boxHeader + 14
		} else {
			node.W = labelWidth(n)
			node.H = nodeH
		}
		nodes[n] = node
	}

	// Place the layers: y by layer, x centred, each layer ordered by the mean x of its predecessors.
	width := 0.0
	for _, row := range rows {
		w := 0.0
		for i, n := range row {
			if i > 0 {
				w += nodeGap
			}
			w += nodes[n].W
		}
		width = max(width, w)
	}
	width = max(width, markerSize)
	y := float64(markerSize + layerGap*0.6)
	preds := map[string][]string{}
	catchPreds := map[string][]string{}
	for _, n := range order {
		for _, e := range successors(n, sc.states[n]) {
			switch {
			case back[[2]string{e.from, e.to}]:
			case e.kind == "catch":
				catchPreds[e.to] = append(catchPreds[e.to], n)
			default:
				preds[e.to] = append(preds[e.to], n)
			}
		}
	}
	for n, ps := range catchPreds {
		if len(preds[n]) == 0 {
			preds[n] = ps
		}
	}
	for li, row := range rows {
		if li > 0 {
			pos := map[string]float64{}
			for _, n := range row {
				sum, k := 0.0, 0.0
				for _, p := range preds[n] {
					if q := nodes[p]; q != nil && layer[p] < li {
						sum += q.X + q.W/2
						k++
					}
				}
				if k > 0 {
					pos[n] = sum / k
				} else {
					pos[n] = width / 2
				}
			}
			sort.SliceStable(row, func(i, j int) bool { return pos[row[i]] < pos[row[j]] })
		}
		rowW, rowH := 0.0, 0.0
		for i, n := range row {
			if i > 0 {
				rowW += nodeGap
			}
			rowW += nodes[n].W
			rowH = max(rowH, nodes[n].H)
		}
		x := (width - rowW) / 2
		for _, n := range row {
			nd := nodes[n]
			nd.X, nd.Y = x, y+(rowH-nd.H)/2
			x += nd.W + nodeGap
		}
		y += rowH + layerGap
	}
	lastBottom := y - layerGap // the bottom of the last layer
	endY := lastBottom + 40    // the End marker's centre
	out := laid{w: width + 40, h: endY + markerSize/2 + 4}
	// Room on the right for back edges.
	offset := 0.0
	if len(back) > 0 {
		out.w += 30
	}
	_ = offset

	// Nodes (composites with their children inside).
	for _, n := range order {
		nd := nodes[n]
		nd.X += 20
		out.nodes = append(out.nodes, nd)
		if ls, ok := inner[n]; ok {
			_, captions := children(sc.states[n])
			x := nd.X + boxPad
			total := 0.0
			for i, cl := range ls {
				if i > 0 {
					total += nodeGap
				}
				total += cl.w
			}
			x = nd.X + (nd.W-total)/2
			for i, cl := range ls {
				cy := nd.Y + boxHeader + 10
				nd.BranchLabels = append(nd.BranchLabels, GraphLabel{X: x + cl.w/2, Y: cy + 4, Text: captions[i]})
				shift(&cl, x, cy+8)
				out.nodes = append(out.nodes, cl.nodes...)
				out.edges = append(out.edges, cl.edges...)
				out.markers = append(out.markers, cl.markers...)
				x += cl.w + nodeGap
			}
		}
	}

	// Start and End markers.
	cx := out.w / 2
	if len(back) > 0 {
		cx = (out.w - 30) / 2
	}
	start := GraphMarker{X: cx, Y: markerSize / 2, Start: true}
	end := GraphMarker{X: cx, Y: endY}
	out.markers = append(out.markers, start, end)
	if s := nodes[sc.startAt]; s != nil {
		out.edges = append(out.edges, &GraphEdge{To: s.Name, Kind: "start",
			Path: curve(start.X, start.Y+markerSize/2, s.X+s.W/2, s.Y)})
	}
	for _, n := range order {
		if terminal(sc.states[n]) {
			nd := nodes[n]
			out.edges = append(out.edges, &GraphEdge{From: n, Kind: "end",
				Path: curve(nd.X+nd.W/2, nd.Y+nd.H, end.X, end.Y-markerSize/2)})
		}
	}

	// Transitions.
	for _, n := range order {
		from := nodes[n]
		specs := successors(n, sc.states[n])
		// Spread a state's outgoing edges along its bottom side.
		var fwd []edgeSpec
		for _, e := range specs {
			if nodes[e.to] != nil && !back[[2]string{e.from, e.to}] {
				fwd = append(fwd, e)
			}
		}
		sort.SliceStable(fwd, func(i, j int) bool { return nodes[fwd[i].to].X < nodes[fwd[j].to].X })
		for i, e := range fwd {
			to := nodes[e.to]
			sx := from.X + from.W*float64(i+1)/float64(len(fwd)+1)
			sy := from.Y + from.H
			tx, ty := to.X+to.W/2, to.Y
			ge := &GraphEdge{From: e.from, To: e.to, Kind: e.kind, Title: e.label, Path: curve(sx, sy, tx, ty)}
			if e.label != "" && (e.kind == "choice" || e.kind == "default") {
				// Three quarters down the curve, where the edges of one Choice have parted; Catch edges
				// carry their errors in a tooltip only, as the AWS console draws them.
				ge.Label = shorten(e.label, 34)
				ge.LabelW = float64(len([]rune(ge.Label)))*6.1 + 10
				ge.LabelX = 0.15625*sx + 0.84375*tx - ge.LabelW/2
				ge.LabelY = 0.015625*sy + 0.5625*(sy+ty)/2 + 0.421875*ty - 8
				placeLabel(out.edges, ge)
			}
			out.edges = append(out.edges, ge)
		}
		for _, e := range specs {
			to := nodes[e.to]
			if to == nil || !back[[2]string{e.from, e.to}] {
				continue
			}
			rx := out.w - 12
			sx, sy := from.X+from.W, from.Y+from.H/2
			tx, ty := to.X+to.W, to.Y+to.H/2
			ge := &GraphEdge{From: e.from, To: e.to, Kind: e.kind, Back: true, Title: e.label,
				Path: fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", sx, sy, rx, sy, rx, ty, tx, ty)}
			if e.label != "" && (e.kind == "choice" || e.kind == "default") {
				ge.Label = shorten(e.label, 38)
				ge.LabelW = float64(len([]rune(ge.Label)))*6.1 + 10
				ge.LabelX, ge.LabelY = rx-ge.LabelW/2, (sy+ty)/2
				placeLabel(out.edges, ge)
			}
			out.edges = append(out.edges, ge)
		}
	}
	return out
}

// placeLabel moves a label down until it overlaps no label placed before it.
func placeLabel(placed []*GraphEdge, e *GraphEdge) {
	for range 8 {
		moved := false
		for _, p := range placed {
			if p.Label == "" || p == e {
				continue
			}
			if e.LabelX < p.LabelX+p.LabelW && p.LabelX < e.LabelX+e.LabelW && e.LabelY < p.LabelY+18 && p.LabelY < e.LabelY+18 {
				e.LabelY = p.LabelY + 19
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// curve is a vertical S-curve from (x1,y1) down to (x2,y2).
func curve(x1, y1, x2, y2 float64) string {
	my := (y1 + y2) / 2
	return fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, x1, my, x2, my, x2, y2)
}

func shiftPath(p string, dx, dy float64) string {
	var b strings.Builder
	for i, tok := range strings.Fields(p) {
		if i > 0 {
			b.WriteByte(' ')
		}
		cmd := ""
		if tok != "" && (tok[0] == 'M' || tok[0] == 'C') {
			cmd, tok = tok[:1], tok[1:]
		}
		var x, y float64
		if _, err := fmt.Sscanf(tok, "%g,%g", &x, &y); err != nil {
			b.WriteString(cmd + tok)
			continue
		}
		fmt.Fprintf(&b, "%s%.1f,%.1f", cmd, x+dx, y+dy)
	}
	return b.String()
}

func labelWidth(name string) float64 {
	return max(minNodeW, float64(len([]rune(name)))*charW+44)
}

func typeLabel(st asl.State) string {
	switch s := st.(type) {
	case *asl.Task:
		r := s.Resource
		switch {
		case strings.HasPrefix(r, "arn:aws:states:::lambda:invoke"), strings.Contains(r, ":lambda:"):
			return "Lambda: Invoke"
		case strings.HasPrefix(r, "arn:aws:states:::"):
			return strings.TrimPrefix(r, "arn:aws:states:::")
		}
		return "Task"
	case *asl.Map:
		return "Map"
	}
	return string(st.Type())
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ruleText renders a Choice rule as the AWS console labels its edge: "$.x == true", "not (...)",
// "(... and ...)".
func ruleText(r asl.ChoiceRule) string {
	switch {
	case r.Condition != nil:
		if s, ok := r.Condition.(string); ok {
			return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "{%"), "%}"))
		}
		b, _ := json.Marshal(r.Condition)
		return string(b)
	case len(r.And) > 0:
		return joinRules(r.And, " and ")
	case len(r.Or) > 0:
		return joinRules(r.Or, " or ")
	case r.Not != nil:
		return "not (" + ruleText(*r.Not) + ")"
	}
	op := string(r.Operator)
	sym := ""
	for _, p := range []struct{ suffix, sym string }{
		{"GreaterThanEquals", ">="}, {"LessThanEquals", "<="}, {"GreaterThan", ">"}, {"LessThan", "<"},
		{"Equals", "=="}, {"Matches", "matches"},
	} {
		base := strings.TrimSuffix(op, "Path")
		if strings.HasSuffix(base, p.suffix) {
			sym = p.sym
			break
		}
	}
	val := r.Value
	var vs string
	if s, ok := val.(string); ok && !strings.HasSuffix(op, "Path") {
		b, _ := json.Marshal(s)
		vs = string(b)
	} else if s, ok := val.(string); ok {
		vs = s
	} else {
		b, _ := json.Marshal(val)
		vs = string(b)
	}
	if strings.HasPrefix(op, "Is") {
		if vs == "true" {
			return r.Variable + " " + op
		}
		return "not " + r.Variable + " " + op
	}
	if sym == "" {
		return r.Variable + " " + op + " " + vs
	}
	return r.Variable + " " + sym + " " + vs
}

func joinRules(rs []asl.ChoiceRule, sep string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = ruleText(r)
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// CX is the node's horizontal centre; Right its right edge (for the template).
func (n *GraphNode) CX() float64    { return n.X + n.W/2 }
func (n *GraphNode) Right() float64 { return n.X + n.W }

// YAt is a point d below the node's top.
func (n *GraphNode) YAt(d float64) float64 { return n.Y + d }

// XAt is a point d right of the node's left edge.
func (n *GraphNode) XAt(d float64) float64 { return n.X + d }
