package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
)

// program is a compiled state machine or branch: the unit a thread runs.
type program struct {
	startAt string
	states  map[string]*node
	// instant: every state of the program runs without waiting (Pass,
	// Choice, Succeed, Fail, and Parallel and inline Map states of such
	// programs), so that its runs in a fan-out can go one after another on
	// the caller's goroutine (see fanout).
	instant bool
	// minRun is the fewest states a run of the program enters on its way
	// to an end through Next, Choice and Default transitions (see
	// minStates), at most maxSlabBlock: the size of its first block of
	// event details.
	minRun int
}

// ioPath is a compiled InputPath, OutputPath or ResultPath.
type ioPath struct {
	kind uint8 // pathAbsent, pathNull, pathRoot, pathExpr
	path *jsonpath.Path
	expr string
}

const (
	ioAbsent uint8 = iota
	ioNull
	ioRoot
	ioExpr
)

// node is one compiled state. Fields not used by its type are zero.
type node struct {
	name    string
	typ     asl.StateType
	jsonata bool
	entered EventType
	exited  EventType

	inputPath      ioPath
	parameters     *jsonpath.Template
	resultSelector *jsonpath.Template
	resultPath     ioPath
	outputPath     ioPath
	assign         *jsonpath.Template
	usesContext    bool
	// ctxExecOnly: every mention of "$$" reads below $$.Execution or
	// $$.StateMachine, which stay the same for the whole execution, so the
	// state's expressions see a context object made once per execution.
	ctxExecOnly bool
	// ctxMapOnly: every mention of "$$" reads below $$.Execution,
	// $$.StateMachine or $$.Map, so a Map state's ItemSelector sees a
	// context object of those three, with no $$.State to build for each
	// item.
	ctxMapOnly bool
	// ctxMapAlone: ctxMapOnly, and no mention of "$$" reads below
	// $$.Execution or $$.StateMachine: the ItemSelector's context object
	// needs $$.Map alone.
	ctxMapAlone bool
	// mapItemLeaves: ctxMapOnly, and every "$$.Map" goes on to
	// ".Item.Index" or ".Item.Value": no expression of the state can
	// return $$.Map or $$.Map.Item itself, so an iteration's may be made
	// of maps used again (mapItemCtxs).
	mapItemLeaves bool

	next string
	end  bool

	// setsInPlace: a JSONPath Pass state whose ResultPath sets one
	// top-level field, with no OutputPath, no Assign, and a result that
	// cannot hold its input (Result, or Parameters with no "$" alone): it
	// may set the field in its input itself when the input is an object
	// its thread owns (see thread.owned).
	setsInPlace bool
	// freesOld: setsInPlace, with no InputPath and Parameters that cannot
	// hold the field the state replaces: the object a previous such state
	// put there is no longer referred to once the state has ended, and
	// the thread may build a later payload in it (see thread.spare).
	freesOld bool
	// madeFree tells, for the Parameters of each state that sets in place
	// and goes to this one, whether this state's Parameters leave the
	// objects those made free (see leavesMadeFree).
	madeFree []madeFree

	retry []retryPolicy
	catch []catchPolicy

	// Pass
	result    any
	hasResult bool

	// Task
	task *taskSpec

	// Choice
	choices []*choiceRule
	def     string

	// Wait
	waitSeconds       int
	hasWaitSeconds    bool
	waitSecondsPath   *jsonpath.Path
	waitTimestamp     time.Time
	hasWaitTimestamp  bool
	waitTimestampPath *jsonpath.Path

	// Fail
	failError, failCause         string
	failErrorPath, failCausePath evaluator
	failErrorExpr, failCauseExpr string

	// Parallel
	branches []*program

	// Map
	mapSpec *mapSpec

	// js holds the fields of a JSONata state (nil for JSONPath).
	js *jsonataSpec
}

type catchPolicy struct {
	errorEquals []string
	next        string
	resultPath  ioPath
	assign      *jsonpath.Template
}

type compiler struct {
	loc []string // location, for error messages
}

func (c *compiler) errorf(format string, args ...any) error {
	return fmt.Errorf("/%s: "+format, append([]any{strings.Join(c.loc, "/")}, args...)...)
}

func (c *compiler) program(startAt string, states map[string]asl.State, machineLang asl.QueryLanguage) (*program, error) {
	p := &program{startAt: startAt, states: make(map[string]*node, len(states))}
	for name, s := range states {
		c.loc = append(c.loc, "States", name)
		n, err := c.node(name, s, machineLang)
		c.loc = c.loc[:len(c.loc)-2]
		if err != nil {
			return nil, err
		}
		p.states[name] = n
	}
	if _, ok := p.states[startAt]; !ok {
		return nil, c.errorf("StartAt %q names no state", startAt)
	}
	p.instant = true
	for _, n := range p.states {
		p.instant = p.instant && n.instant()
	}
	p.minRun = min(p.minStates(), maxSlabBlock)
	for _, n := range p.states {
		to := p.states[n.next]
		if to == nil || !to.freesOld || !n.setsInPlace || !n.makesResult() {
			continue
		}
		key, _ := to.resultPath.path.SingleField()
		to.madeFree = append(to.madeFree, madeFree{by: n.parameters, free: !to.parameters.MayHoldMade(key, n.parameters)})
	}
	return p, nil
}

// madeFree is whether a state's Parameters leave free the objects that
// the template by made inside the field the state replaces.
type madeFree struct {
	by   *jsonpath.Template
	free bool
}

// leavesMadeFree reports whether n, a state that frees the object in its
// ResultPath's field key (freesOld), leaves free the objects the template
// by made inside it: nothing refers to them once n has ended (see
// jsonpath.Template.MayHoldMade). The answer for the states that go to n
// is worked out when the program is compiled.
func (n *node) leavesMadeFree(key string, by *jsonpath.Template) bool {
	for _, m := range n.madeFree {
		if m.by == by {
			return m.free
		}
	}
	return !n.parameters.MayHoldMade(key, by)
}

// minStates returns the fewest states a run from StartAt enters before it
// ends, following Next, the rules and Default of JSONPath Choice states:
// a breadth-first search back from the states that end a run (and those
// whose transitions it does not follow, JSONata Choice states, counted as
// ending it, so that the count is never more than a run enters).
func (p *program) minStates() int {
	into := make(map[string][]string, len(p.states))
	dist := make(map[string]int, len(p.states))
	var queue []string
	for name, n := range p.states {
		next := n.transitions()
		if len(next) == 0 {
			dist[name] = 1
			queue = append(queue, name)
		}
		for _, to := range next {
			into[to] = append(into[to], name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, from := range into[name] {
			if _, seen := dist[from]; !seen {
				dist[from] = dist[name] + 1
				queue = append(queue, from)
			}
		}
	}
	if d, ok := dist[p.startAt]; ok {
		return d
	}
	return 1 // a run that never ends (a loop with no way out)
}

// transitions returns the states n may go to next, nil for a state that
// ends its program or whose transitions are chosen by JSONata.
func (n *node) transitions() []string {
	if n.typ == asl.TypeChoice {
		if n.js != nil {
			return nil
		}
		next := make([]string, 0, len(n.choices)+1)
		for _, r := range n.choices {
			next = append(next, r.next)
		}
		if n.def != "" {
			next = append(next, n.def)
		}
		return next
	}
	if n.next == "" {
		return nil
	}
	return []string{n.next}
}

// canSetInPlace reports whether a JSONPath Pass state may set its
// ResultPath's field in its input itself (node.setsInPlace).
func (n *node) canSetInPlace() bool {
	if n.typ != asl.TypePass || n.resultPath.kind != ioExpr || n.assign != nil {
		return false
	}
	if _, ok := n.resultPath.path.SingleField(); !ok {
		return false
	}
	if n.outputPath.kind != ioAbsent && n.outputPath.kind != ioRoot {
		return false
	}
	return n.hasResult || n.parameters != nil && !n.parameters.MayHoldInput()
}

// makesResult reports whether the state's result is always an object its
// Parameters just made (not a Result, not a template's constant).
func (n *node) makesResult() bool {
	return !n.hasResult && n.parameters != nil && n.parameters.MakesObject()
}

// canFreeOld reports whether a state that sets in place leaves no
// reference to the value it replaces (node.freesOld).
func (n *node) canFreeOld() bool {
	if n.inputPath.kind != ioAbsent && n.inputPath.kind != ioRoot || !n.makesResult() {
		return false
	}
	key, _ := n.resultPath.path.SingleField()
	return !n.parameters.MayHoldField(key)
}

// instant reports whether the state runs without waiting for anything: no
// task, no Wait, no fan-out that could wait, no distributed Map.
func (n *node) instant() bool {
	switch n.typ {
	case asl.TypePass, asl.TypeChoice, asl.TypeSucceed, asl.TypeFail:
		return true
	case asl.TypeParallel:
		for _, b := range n.branches {
			if !b.instant {
				return false
			}
		}
		return true
	case asl.TypeMap:
		ms := n.mapSpec
		return ms != nil && !ms.distributed && ms.dist == nil && ms.processor != nil && ms.processor.instant
	}
	return false
}

func (c *compiler) ioPath(field string, p asl.Path) (ioPath, error) {
	if p.IsAbsent() {
		return ioPath{kind: ioAbsent}, nil
	}
	if p.IsNull() {
		return ioPath{kind: ioNull}, nil
	}
	expr, _ := p.Expr()
	if expr == "$" {
		return ioPath{kind: ioRoot, expr: expr}, nil
	}
	var (
		cp  *jsonpath.Path
		err error
	)
	if field == "ResultPath" {
		cp, err = jsonpath.CompileReference(expr)
	} else {
		cp, err = jsonpath.Compile(expr)
	}
	if err != nil {
		return ioPath{}, c.errorf("%s: %w", field, err)
	}
	return ioPath{kind: ioExpr, path: cp, expr: expr}, nil
}

func (c *compiler) template(field string, v any) (*jsonpath.Template, error) {
	if v == nil {
		return nil, nil
	}
	t, err := jsonpath.CompileTemplate(v)
	if err != nil {
		return nil, c.errorf("%s: %w", field, err)
	}
	return t, nil
}

func (c *compiler) assign(m map[string]any) (*jsonpath.Template, error) {
	if m == nil {
		return nil, nil
	}
	return c.template("Assign", m)
}

func (c *compiler) path(field, expr string) (*jsonpath.Path, error) {
	if expr == "" {
		return nil, nil
	}
	p, err := jsonpath.Compile(expr)
	if err != nil {
		return nil, c.errorf("%s: %w", field, err)
	}
	return p, nil
}

func (c *compiler) retriers(rs []asl.Retrier) []retryPolicy {
	out := make([]retryPolicy, 0, len(rs))
	for _, r := range rs {
		p := retryPolicy{
			errorEquals:     r.ErrorEquals,
			intervalSeconds: defaultIntervalSeconds,
			maxAttempts:     defaultMaxAttempts,
			backoffRate:     defaultBackoffRate,
			fullJitter:      r.JitterStrategy == asl.JitterFull,
		}
		if r.IntervalSeconds != nil {
			p.intervalSeconds = float64(*r.IntervalSeconds)
		}
		if r.MaxAttempts != nil {
			p.maxAttempts = *r.MaxAttempts
		}
		if r.BackoffRate != nil {
			p.backoffRate = *r.BackoffRate
		}
		if r.MaxDelaySeconds != nil {
			p.maxDelaySeconds = float64(*r.MaxDelaySeconds)
		}
		out = append(out, p)
	}
	return out
}

func (c *compiler) catchers(cs []asl.Catcher) ([]catchPolicy, error) {
	out := make([]catchPolicy, 0, len(cs))
	for i, k := range cs {
		c.loc = append(c.loc, "Catch", fmt.Sprint(i))
		rp, err := c.ioPath("ResultPath", k.ResultPath)
		if err != nil {
			return nil, err
		}
		as, err := c.assign(k.Assign)
		if err != nil {
			return nil, err
		}
		c.loc = c.loc[:len(c.loc)-2]
		out = append(out, catchPolicy{errorEquals: k.ErrorEquals, next: k.Next, resultPath: rp, assign: as})
	}
	return out, nil
}

// mentionsContext reports whether any string in s's own fields mentions
// "$$", so that the context object is built only for states that read it.
// A Parallel's branches and a Map's item processor are left out: their
// states are compiled, and checked, on their own, and each thread builds $$
// for the state it runs. Encoding the subtree at every level instead made
// compiling a deeply nested machine cubic in its depth.
func mentionsContext(s asl.State) bool {
	b, err := json.Marshal(ownDefinition(s))
	return err != nil || bytes.Contains(b, []byte("$$"))
}

// ownDefinition returns the state without the states it contains (a
// Parallel's branches, a Map's item processor).
func ownDefinition(s asl.State) any {
	switch st := s.(type) {
	case *asl.Parallel:
		c := *st
		c.Branches = nil
		return &c
	case *asl.Map:
		c := *st
		c.ItemProcessor, c.Iterator = nil, nil
		return &c
	}
	return s
}

// readsOnlyExecutionContext reports whether every "$$" in the state's own
// definition (not its branches' or item processor's) starts a path to a
// member of $$.Execution or $$.StateMachine, or one of them whole:
// "$$.Execution.Name", "$$.StateMachine.Id". Anything else ("$$",
// "$$.State...", "$$['Execution']", "$$.Map...") answers false, and the
// state gets the whole context object.
func readsOnlyExecutionContext(s asl.State) bool {
	return readsOnlyContext(s, ".Execution", ".StateMachine")
}

// readsOnlyContext reports whether every "$$" in the state's own
// definition starts a path below one of members (".Execution") or to one
// of them whole, as readsOnlyExecutionContext describes.
func readsOnlyContext(s asl.State, members ...string) bool {
	b, err := json.Marshal(ownDefinition(s))
	if err != nil {
		return false
	}
	for {
		i := bytes.Index(b, []byte("$$"))
		if i < 0 {
			return true
		}
		b = b[i+2:]
		var rest []byte
		ok := false
		for _, m := range members {
			if rest, ok = bytes.CutPrefix(b, []byte(m)); ok {
				break
			}
		}
		if !ok {
			return false
		}
		if len(rest) > 0 && !bytes.ContainsAny(rest[:1], `."[,) `) {
			return false // a longer member name
		}
		b = rest
	}
}

// readsOnlyMapItemLeaves reports whether every "$$.Map" in the state's
// own definition goes on to ".Item.Index" or ".Item.Value", so that no
// path returns $$.Map or $$.Map.Item itself.
func readsOnlyMapItemLeaves(s asl.State) bool {
	b, err := json.Marshal(ownDefinition(s))
	if err != nil {
		return false
	}
	for {
		i := bytes.Index(b, []byte("$$.Map"))
		if i < 0 {
			return true
		}
		b = b[i+len("$$.Map"):]
		rest, ok := bytes.CutPrefix(b, []byte(".Item.Index"))
		if !ok {
			rest, ok = bytes.CutPrefix(b, []byte(".Item.Value"))
		}
		if !ok || len(rest) > 0 && !bytes.ContainsAny(rest[:1], `."[,) `) {
			return false
		}
		b = rest
	}
}

func (c *compiler) node(name string, s asl.State, machineLang asl.QueryLanguage) (*node, error) {
	n := &node{name: name, typ: s.Type()}
	n.jsonata = asl.EffectiveLanguage(s, machineLang) == asl.JSONata
	n.next, n.end = s.Transition()
	n.entered = EventType(string(n.typ) + "StateEntered")
	n.exited = EventType(string(n.typ) + "StateExited")
	if n.jsonata {
		if err := c.jsonataNode(n, s, machineLang); err != nil {
			return nil, err
		}
		return n, nil
	}
	var err error
	set := func(dst *ioPath, field string, p asl.Path) {
		if err == nil {
			*dst, err = c.ioPath(field, p)
		}
	}
	tmpl := func(dst **jsonpath.Template, field string, v any) {
		if err == nil {
			*dst, err = c.template(field, v)
		}
	}
	switch st := s.(type) {
	case *asl.Pass:
		set(&n.inputPath, "InputPath", st.InputPath)
		tmpl(&n.parameters, "Parameters", st.Parameters)
		set(&n.resultPath, "ResultPath", st.ResultPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
		tmpl(&n.assign, "Assign", assignValue(st.Assign))
		n.result, n.hasResult = st.Result, st.Result != nil
		n.setsInPlace = err == nil && n.canSetInPlace()
		n.freesOld = n.setsInPlace && n.canFreeOld()
	case *asl.Task:
		set(&n.inputPath, "InputPath", st.InputPath)
		tmpl(&n.parameters, "Parameters", st.Parameters)
		tmpl(&n.resultSelector, "ResultSelector", st.ResultSelector)
		set(&n.resultPath, "ResultPath", st.ResultPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
		tmpl(&n.assign, "Assign", assignValue(st.Assign))
		if err == nil {
			n.task, err = c.task(st)
		}
	case *asl.Choice:
		set(&n.inputPath, "InputPath", st.InputPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
		tmpl(&n.assign, "Assign", assignValue(st.Assign))
		n.def = st.Default
		if err == nil {
			n.choices, err = c.choices(st.Choices)
		}
	case *asl.Wait:
		set(&n.inputPath, "InputPath", st.InputPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
		tmpl(&n.assign, "Assign", assignValue(st.Assign))
		if st.Seconds != nil {
			n.waitSeconds, n.hasWaitSeconds = st.Seconds.Value, true
		}
		if st.Timestamp != "" {
			ts, perr := parseTimestamp(st.Timestamp)
			if perr != nil {
				return nil, c.errorf("Timestamp: %w", perr)
			}
			n.waitTimestamp, n.hasWaitTimestamp = ts, true
		}
		if err == nil {
			n.waitSecondsPath, err = c.path("SecondsPath", st.SecondsPath)
		}
		if err == nil {
			n.waitTimestampPath, err = c.path("TimestampPath", st.TimestampPath)
		}
	case *asl.Succeed:
		set(&n.inputPath, "InputPath", st.InputPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
	case *asl.Fail:
		n.failError, n.failCause = st.Error, st.Cause
		n.failErrorExpr, n.failCauseExpr = st.ErrorPath, st.CausePath
		if err == nil {
			n.failErrorPath, err = c.pathOrIntrinsic("ErrorPath", st.ErrorPath)
		}
		if err == nil {
			n.failCausePath, err = c.pathOrIntrinsic("CausePath", st.CausePath)
		}
	case *asl.Parallel:
		set(&n.inputPath, "InputPath", st.InputPath)
		tmpl(&n.parameters, "Parameters", st.Parameters)
		tmpl(&n.resultSelector, "ResultSelector", st.ResultSelector)
		set(&n.resultPath, "ResultPath", st.ResultPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
		tmpl(&n.assign, "Assign", assignValue(st.Assign))
		for i, b := range st.Branches {
			if err != nil {
				break
			}
			c.loc = append(c.loc, "Branches", fmt.Sprint(i))
			var p *program
			p, err = c.program(b.StartAt, b.States, machineLang)
			c.loc = c.loc[:len(c.loc)-2]
			n.branches = append(n.branches, p)
		}
	case *asl.Map:
		set(&n.inputPath, "InputPath", st.InputPath)
		tmpl(&n.resultSelector, "ResultSelector", st.ResultSelector)
		set(&n.resultPath, "ResultPath", st.ResultPath)
		set(&n.outputPath, "OutputPath", st.OutputPath)
		tmpl(&n.assign, "Assign", assignValue(st.Assign))
		if err == nil {
			n.mapSpec, err = c.mapState(name, st, machineLang, false)
		}
	default:
		return nil, c.errorf("unknown state type %T", s)
	}
	if err != nil {
		return nil, err
	}
	// The context object is built only for states that mention "$$"
	// somewhere in their definition (or receive a task token).
	n.usesContext = mentionsContext(s) || n.task != nil && n.task.waitForToken
	n.ctxExecOnly = n.usesContext && !(n.task != nil && n.task.waitForToken) && readsOnlyExecutionContext(s)
	n.ctxMapOnly = n.usesContext && n.typ == asl.TypeMap && readsOnlyContext(s, ".Execution", ".StateMachine", ".Map")
	n.ctxMapAlone = n.ctxMapOnly && readsOnlyContext(s, ".Map")
	n.mapItemLeaves = n.ctxMapOnly && readsOnlyMapItemLeaves(s)
	switch st := s.(type) {
	case *asl.Task:
		n.retry = c.retriers(st.Retry)
		n.catch, err = c.catchers(st.Catch)
	case *asl.Parallel:
		n.retry = c.retriers(st.Retry)
		n.catch, err = c.catchers(st.Catch)
	case *asl.Map:
		n.retry = c.retriers(st.Retry)
		n.catch, err = c.catchers(st.Catch)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// assignValue turns an Assign map into a template value, keeping nil (absent)
// distinct from an empty map.
func assignValue(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// parseTimestamp parses an ASL timestamp: RFC 3339 with an uppercase T and
// Z or an offset.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
func parseTimestamp(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// evaluator is a compiled path or intrinsic function call.
type evaluator interface {
	Eval(s *jsonpath.Scope) (any, error)
}

// pathOrIntrinsic compiles a field that takes a path or an intrinsic
// function (ErrorPath, CausePath); nil when absent.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
func (c *compiler) pathOrIntrinsic(field, expr string) (evaluator, error) {
	if expr == "" {
		return nil, nil
	}
	if jsonpath.IsIntrinsic(expr) {
		f, err := jsonpath.CompileIntrinsic(expr)
		if err != nil {
			return nil, c.errorf("%s: %w", field, err)
		}
		return f, nil
	}
	return c.path(field, expr)
}
