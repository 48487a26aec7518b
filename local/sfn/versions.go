package sfn

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Versions and aliases:
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-alias.html and the API
// reference of PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion and the
// StateMachineAlias operations.
//
// A version is an immutable copy of a state machine's definition, role, type, logging and tracing at one
// revision, numbered from 1 and never renumbered: a number is not reused after its version is deleted. Its
// ARN is the state machine's with ":<number>" after it; an alias's is the state machine's with
// ":<alias name>" after it. An execution started on either runs the version's definition to its end,
// whatever happens to the version, the alias or the state machine meanwhile.

const (
	// maxVersions is how many versions a state machine may have (PublishStateMachineVersion: "You can
	// publish up to 1000 versions for each state machine").
	maxVersions = 1000
	// maxAliases is how many aliases a state machine may have (CreateStateMachineAlias: "You can create
	// up to 100 aliases for each state machine").
	maxAliases = 100
)

// versionRecord is a published version, as the journal keeps it.
type versionRecord struct {
	MachineArn  string          `json:"machineArn"`
	Number      int             `json:"number"`
	Definition  string          `json:"definition"`
	RoleArn     string          `json:"roleArn"`
	Type        string          `json:"type"`
	Logging     json.RawMessage `json:"logging,omitempty"`
	Tracing     json.RawMessage `json:"tracing,omitempty"`
	Revision    string          `json:"revision"`
	Description string          `json:"description,omitempty"`
	Created     time.Time       `json:"created"`
}

func (v *versionRecord) arn() string { return v.MachineArn + ":" + strconv.Itoa(v.Number) }

// route is one entry of an alias's routing configuration.
type route struct {
	VersionArn string `json:"stateMachineVersionArn"`
	Weight     int    `json:"weight"`
}

// aliasRecord is an alias, as the journal keeps it.
type aliasRecord struct {
	MachineArn  string    `json:"machineArn"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Routing     []route   `json:"routing"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated,omitempty"`
}

func (a *aliasRecord) arn() string { return a.MachineArn + ":" + a.Name }

func (m *machine) addVersion(v *versionRecord) {
	if m.versions == nil {
		m.versions = map[int]*versionRecord{}
	}
	m.versions[v.Number] = v
	m.rec.LastVersion = max(m.rec.LastVersion, v.Number)
}

func (m *machine) putAlias(a *aliasRecord) {
	if m.aliases == nil {
		m.aliases = map[string]*aliasRecord{}
	}
	m.aliases[a.Name] = a
}

// WithRoutingSeed makes the choice an alias makes between its two versions deterministic: the same seed
// and the same sequence of starts route the same way. By default the seed is random.
func WithRoutingSeed(seed uint64) Option {
	return func(s *Service) { s.routing = newRouter(seed) }
}

// router draws the random numbers of alias routing.
type router struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

func newRouter(seed uint64) *router {
	return &router{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// pick chooses a route by weight: a route of weight w is chosen w times in a hundred.
func (r *router) pick(routes []route) route {
	if len(routes) == 1 {
		return routes[0]
	}
	r.mu.Lock()
	n := r.rnd.IntN(100)
	r.mu.Unlock()
	for _, rt := range routes {
		if n < rt.Weight {
			return rt
		}
		n -= rt.Weight
	}
	return routes[len(routes)-1]
}

// qualifiedArn is a state machine ARN with an optional qualifier: a version number or an alias name.
type qualifiedArn struct {
	machine string // the unqualified state machine ARN
	version int    // > 0 for a version ARN
	alias   string // for an alias ARN
}

// parseQualifiedArn splits arn:<partition>:states:<region>:<account>:stateMachine:<name>[:<qualifier>].
// A qualifier of digits only is a version number (1 or more, without leading zeros); any other valid name
// is an alias.
func parseQualifiedArn(arn string) (qualifiedArn, bool) {
	res, names, ok := arnParts(arn)
	if !ok || res != "stateMachine" || names.n < 1 || names.n > 2 || !validName(names.v[0]) {
		return qualifiedArn{}, false
	}
	if names.n == 1 {
		return qualifiedArn{machine: arn}, true
	}
	q := names.v[1]
	out := qualifiedArn{machine: arn[:len(arn)-len(q)-1]}
	if allDigits(q) {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || q[0] == '0' {
			return qualifiedArn{}, false
		}
		out.version = n
		return out, true
	}
	if !validName(q) {
		return qualifiedArn{}, false
	}
	out.alias = q
	return out, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func invalidArn(arn string) error {
	return apiErrorf(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
}

// target is what StartExecution runs: a state machine's current definition, one of its versions, or the
// version an alias chose.
type target struct {
	rec        machineRecord // the definition to run; Arn is the unqualified state machine ARN
	versionArn string
	aliasArn   string
}

// resolveTarget finds what an execution started on arn runs; the caller holds s.mu for reading.
func (s *Service) resolveTarget(arn string) (target, error) {
	if arn == "" {
		return target{}, validationErrorf("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")
	}
	q, ok := parseQualifiedArn(arn)
	if !ok {
		return target{}, invalidArn(arn)
	}
	m := s.machines[q.machine]
	if m == nil {
		return target{}, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	tg := target{rec: m.rec}
	var v *versionRecord
	switch {
	case q.version > 0:
		v = m.versions[q.version]
	case q.alias != "":
		a := m.aliases[q.alias]
		if a == nil {
			return target{}, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
		}
		tg.aliasArn = a.arn()
		rt := s.routing.pick(a.Routing)
		if vq, ok := parseQualifiedArn(rt.VersionArn); ok {
			v = m.versions[vq.version]
		}
	default:
		return tg, nil
	}
	if v == nil {
		return target{}, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	tg.versionArn = v.arn()
	tg.rec.Definition, tg.rec.RoleArn, tg.rec.Type = v.Definition, v.RoleArn, v.Type
	tg.rec.Logging, tg.rec.Tracing, tg.rec.Revision = v.Logging, v.Tracing, v.Revision
	return tg, nil
}

// newVersion makes the next version of a machine from rec (its state once the caller's change is made),
// and advances rec's last version number. The caller holds s.mu and persists the version.
func (s *Service) newVersion(m *machine, rec *machineRecord, description string) (*versionRecord, error) {
	if len(m.versions) >= maxVersions {
		return nil, apiErrorf(CodeServiceQuotaExceeded, "Maximum number of versions (%d) reached for state machine: '%s'", maxVersions, rec.Arn)
	}
	rec.LastVersion++
	return &versionRecord{
		MachineArn: rec.Arn, Number: rec.LastVersion, Definition: rec.Definition, RoleArn: rec.RoleArn,
		Type: rec.Type, Logging: rec.Logging, Tracing: rec.Tracing, Revision: rec.Revision,
		Description: description, Created: s.clock.Now().UTC(),
	}, nil
}

// versionOfRevision returns the version published from a machine's revision, if any.
func (m *machine) versionOfRevision(revision string) *versionRecord {
	for _, v := range m.versions {
		if v.Revision == revision {
			return v
		}
	}
	return nil
}

func checkVersionDescription(d string) error {
	if utf8.RuneCountInString(d) > 256 { // AWS's lengths count characters
		return validationErrorf("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	return nil
}

type publishInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	RevisionID      *string `json:"revisionId"`
	Description     string  `json:"description"`
}

type versionOutput struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
	CreationDate           epoch  `json:"creationDate"`
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_PublishStateMachineVersion.html
// Publishing a revision that already has a version answers that version (the call is idempotent); a
// revisionId other than the current one (or "INITIAL" for a machine never updated) is a conflict.
func (s *Service) publishStateMachineVersion(ctx context.Context, body []byte) (any, error) {
	var in publishInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	if err := checkVersionDescription(in.Description); err != nil {
		return nil, err
	}
	if in.RevisionID != nil && len(*in.RevisionID) > 256 {
		return nil, validationErrorf("Value at 'revisionId' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if m.deleting {
		return nil, apiErrorf(CodeStateMachineDeleting, "State Machine is being deleted: '%s'", in.StateMachineArn)
	}
	if in.RevisionID != nil {
		id := *in.RevisionID
		if id != m.rec.Revision && !(id == "INITIAL" && m.rec.Updated.IsZero()) {
			return nil, apiErrorf(CodeConflict, "Failed to publish the State Machine version for revision %s. The current State Machine revision is %s.", id, m.rec.Revision)
		}
	}
	if v := m.versionOfRevision(m.rec.Revision); v != nil {
		return versionOutput{StateMachineVersionArn: v.arn(), CreationDate: epoch(v.Created)}, nil
	}
	rec := m.rec
	v, err := s.newVersion(m, &rec, in.Description)
	if err != nil {
		return nil, err
	}
	if err := s.persist(&record{Kind: kindVersion, Version: v}); err != nil {
		return nil, err
	}
	m.addVersion(v)
	return versionOutput{StateMachineVersionArn: v.arn(), CreationDate: epoch(v.Created)}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachineVersions.html
// Versions are listed newest first.
func (s *Service) listStateMachineVersions(ctx context.Context, body []byte) (any, error) {
	var in listInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	m, err := s.lookupMachine(in.StateMachineArn)
	var items []versionOutput
	if err == nil {
		items = make([]versionOutput, 0, len(m.versions))
		nums := make([]int, 0, len(m.versions))
		for n := range m.versions {
			nums = append(nums, n)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(nums)))
		for _, n := range nums {
			v := m.versions[n]
			items = append(items, versionOutput{StateMachineVersionArn: v.arn(), CreationDate: epoch(v.Created)})
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(len(items), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		StateMachineVersions []versionOutput `json:"stateMachineVersions"`
		NextToken            string          `json:"nextToken,omitempty"`
	}{items[page.from:page.to], next}, nil
}

// parseVersionArn checks a version ARN given in a request's field.
func parseVersionArn(field, arn string) (qualifiedArn, error) {
	if arn == "" {
		return qualifiedArn{}, validationErrorf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	q, ok := parseQualifiedArn(arn)
	if !ok || q.version == 0 {
		return qualifiedArn{}, invalidArn(arn)
	}
	return q, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachineVersion.html
// A version an alias routes to cannot be deleted (ConflictException); deleting one that does not exist
// succeeds; executions running on a deleted version run on to their end.
func (s *Service) deleteStateMachineVersion(ctx context.Context, body []byte) (any, error) {
	var in struct {
		StateMachineVersionArn string `json:"stateMachineVersionArn"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	q, err := parseVersionArn("stateMachineVersionArn", in.StateMachineVersionArn)
	if err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.machines[q.machine]
	if m == nil || m.versions[q.version] == nil {
		return struct{}{}, nil
	}
	arn := m.versions[q.version].arn()
	var users []string
	for _, a := range m.aliases {
		for _, rt := range a.Routing {
			if rt.VersionArn == arn {
				users = append(users, a.arn())
			}
		}
	}
	if len(users) > 0 {
		sort.Strings(users)
		return nil, apiErrorf(CodeConflict, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", strings.Join(users, ", "))
	}
	if err := s.persist(&record{Kind: kindVersionDeleted, Arn: arn}); err != nil {
		return nil, err
	}
	delete(m.versions, q.version)
	return struct{}{}, nil
}

// describeVersion answers DescribeStateMachine on a version ARN; ok is false for any other ARN. The
// caller holds s.mu for reading.
func (s *Service) describeVersion(arn string) (out any, ok bool, err error) {
	q, valid := parseQualifiedArn(arn)
	if !valid || q.version == 0 {
		return nil, false, nil
	}
	m := s.machines[q.machine]
	var v *versionRecord
	if m != nil {
		v = m.versions[q.version]
	}
	if v == nil {
		return nil, true, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	d := describeMachine(machineRecord{
		Arn: v.arn(), Name: m.rec.Name, Definition: v.Definition, RoleArn: v.RoleArn, Type: v.Type,
		Created: v.Created, Revision: v.Revision, Logging: v.Logging, Tracing: v.Tracing,
	}, "ACTIVE")
	d.Description = v.Description
	return d, true, nil
}

// Aliases.

type aliasInput struct {
	StateMachineAliasArn string  `json:"stateMachineAliasArn"`
	Name                 string  `json:"name"`
	Description          *string `json:"description"`
	RoutingConfiguration []route `json:"routingConfiguration"`
}

// checkAliasName applies CreateStateMachineAlias's name rules: a valid name that is not an integer (it
// would read as a version number).
func checkAliasName(name string) error {
	if name == "" {
		return validationErrorf("Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if !validName(name) || allDigits(name) {
		return validationErrorf("Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", name)
	}
	return nil
}

// checkRouting validates a routing configuration and returns the state machine its versions belong to:
// one or two distinct versions of one state machine, weights from 0 to 100 summing to 100.
func checkRouting(routes []route) (string, error) {
	if routes == nil {
		return "", validationErrorf("Value null at 'routingConfiguration' failed to satisfy constraint: Member must not be null")
	}
	if len(routes) < 1 || len(routes) > 2 {
		return "", validationErrorf("Value at 'routingConfiguration' failed to satisfy constraint: Member must have length between 1 and 2")
	}
	machineArn, sum := "", 0
	seen := map[string]bool{}
	for _, rt := range routes {
		q, err := parseVersionArn("routingConfiguration.member.stateMachineVersionArn", rt.VersionArn)
		if err != nil {
			return "", err
		}
		if rt.Weight < 0 || rt.Weight > 100 {
			return "", validationErrorf("Value '%d' at 'routingConfiguration.member.weight' failed to satisfy constraint: Member must have value between 0 and 100", rt.Weight)
		}
		if machineArn != "" && q.machine != machineArn {
			return "", apiErrorf(CodeValidation, "Routing configuration must contain state machine version ARNs of the same state machine")
		}
		if seen[rt.VersionArn] {
			return "", apiErrorf(CodeValidation, "Routing configuration must contain distinct state machine version ARNs")
		}
		seen[rt.VersionArn] = true
		machineArn = q.machine
		sum += rt.Weight
	}
	if sum != 100 {
		return "", apiErrorf(CodeValidation, "Sum of routing configuration weights must be equal to 100")
	}
	return machineArn, nil
}

// checkRoutedVersions reports a version of the routing that the machine does not have.
func checkRoutedVersions(m *machine, routes []route) error {
	for _, rt := range routes {
		q, _ := parseQualifiedArn(rt.VersionArn)
		if m.versions[q.version] == nil {
			return apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", rt.VersionArn)
		}
	}
	return nil
}

func sameRouting(a, b []route) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachineAlias.html
// Creating the same alias again (same description and routing) is idempotent; a different one under
// the same name is a conflict.
func (s *Service) createStateMachineAlias(ctx context.Context, body []byte) (any, error) {
	var in aliasInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.Name); err != nil {
		return nil, err
	}
	description := ""
	if in.Description != nil {
		description = *in.Description
	}
	if err := checkVersionDescription(description); err != nil {
		return nil, err
	}
	machineArn, err := checkRouting(in.RoutingConfiguration)
	if err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.machines[machineArn]
	if m == nil {
		return nil, apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", machineArn)
	}
	if m.deleting {
		return nil, apiErrorf(CodeStateMachineDeleting, "State Machine is being deleted: '%s'", machineArn)
	}
	if err := checkRoutedVersions(m, in.RoutingConfiguration); err != nil {
		return nil, err
	}
	if old := m.aliases[in.Name]; old != nil {
		if old.Description == description && sameRouting(old.Routing, in.RoutingConfiguration) {
			return aliasCreated{old.arn(), epoch(old.Created)}, nil
		}
		return nil, apiErrorf(CodeConflict, "Failed to create alias because an alias with the same name and a different routing configuration already exists.")
	}
	if len(m.aliases) >= maxAliases {
		return nil, apiErrorf(CodeServiceQuotaExceeded, "Maximum number of aliases (%d) reached for state machine: '%s'", maxAliases, machineArn)
	}
	a := &aliasRecord{
		MachineArn: machineArn, Name: in.Name, Description: description,
		Routing: append([]route(nil), in.RoutingConfiguration...), Created: s.clock.Now().UTC(),
	}
	if err := s.persist(&record{Kind: kindAlias, Alias: a}); err != nil {
		return nil, err
	}
	m.putAlias(a)
	return aliasCreated{a.arn(), epoch(a.Created)}, nil
}

type aliasCreated struct {
	StateMachineAliasArn string `json:"stateMachineAliasArn"`
	CreationDate         epoch  `json:"creationDate"`
}

// lookupAlias finds an alias by ARN; the caller holds s.mu.
func (s *Service) lookupAlias(arn string) (*machine, *aliasRecord, error) {
	if arn == "" {
		return nil, nil, validationErrorf("Value null at 'stateMachineAliasArn' failed to satisfy constraint: Member must not be null")
	}
	q, ok := parseQualifiedArn(arn)
	if !ok || q.alias == "" {
		return nil, nil, invalidArn(arn)
	}
	m := s.machines[q.machine]
	if m == nil || m.aliases[q.alias] == nil {
		return nil, nil, apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", arn)
	}
	return m, m.aliases[q.alias], nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineAlias.html
func (s *Service) describeStateMachineAlias(ctx context.Context, body []byte) (any, error) {
	var in aliasInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, a, err := s.lookupAlias(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	updated := a.Updated
	if updated.IsZero() {
		updated = a.Created
	}
	return struct {
		StateMachineAliasArn string  `json:"stateMachineAliasArn"`
		Name                 string  `json:"name"`
		Description          string  `json:"description,omitempty"`
		RoutingConfiguration []route `json:"routingConfiguration"`
		CreationDate         epoch   `json:"creationDate"`
		UpdateDate           epoch   `json:"updateDate"`
	}{a.arn(), a.Name, a.Description, a.Routing, epoch(a.Created), epoch(updated)}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachineAlias.html
// Executions already started through the alias keep the version they started on; the same configuration
// again is answered without a change.
func (s *Service) updateStateMachineAlias(ctx context.Context, body []byte) (any, error) {
	var in aliasInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Description == nil && in.RoutingConfiguration == nil {
		return nil, apiErrorf(CodeValidation, "Either the description or the routing configuration must be specified")
	}
	if in.Description != nil {
		if err := checkVersionDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	var routeMachine string
	if in.RoutingConfiguration != nil {
		var err error
		if routeMachine, err = checkRouting(in.RoutingConfiguration); err != nil {
			return nil, err
		}
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, old, err := s.lookupAlias(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	if m.deleting {
		return nil, apiErrorf(CodeStateMachineDeleting, "State Machine is being deleted: '%s'", m.rec.Arn)
	}
	a := *old
	if in.RoutingConfiguration != nil {
		if routeMachine != m.rec.Arn {
			return nil, apiErrorf(CodeValidation, "Routing configuration must contain state machine version ARNs of the alias's state machine")
		}
		if err := checkRoutedVersions(m, in.RoutingConfiguration); err != nil {
			return nil, err
		}
		a.Routing = append([]route(nil), in.RoutingConfiguration...)
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if a.Description == old.Description && sameRouting(a.Routing, old.Routing) {
		// Idempotent: the same configuration again changes nothing (API_UpdateStateMachineAlias).
		updated := old.Updated
		if updated.IsZero() {
			updated = old.Created
		}
		return struct {
			UpdateDate epoch `json:"updateDate"`
		}{epoch(updated)}, nil
	}
	a.Updated = s.clock.Now().UTC()
	if err := s.persist(&record{Kind: kindAlias, Alias: &a}); err != nil {
		return nil, err
	}
	m.putAlias(&a)
	return struct {
		UpdateDate epoch `json:"updateDate"`
	}{epoch(a.Updated)}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachineAlias.html
// The versions the alias routed to stay.
func (s *Service) deleteStateMachineAlias(ctx context.Context, body []byte) (any, error) {
	var in aliasInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, a, err := s.lookupAlias(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	if err := s.persist(&record{Kind: kindAliasDeleted, Arn: a.arn()}); err != nil {
		return nil, err
	}
	delete(m.aliases, a.Name)
	return struct{}{}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachineAliases.html
// Aliases are listed by name.
func (s *Service) listStateMachineAliases(ctx context.Context, body []byte) (any, error) {
	var in listInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	type item struct {
		StateMachineAliasArn string `json:"stateMachineAliasArn"`
		CreationDate         epoch  `json:"creationDate"`
	}
	s.mu.RLock()
	m, err := s.lookupMachine(in.StateMachineArn)
	var items []item
	if err == nil {
		names := make([]string, 0, len(m.aliases))
		for n := range m.aliases {
			names = append(names, n)
		}
		sort.Strings(names)
		items = make([]item, 0, len(names))
		for _, n := range names {
			a := m.aliases[n]
			items = append(items, item{a.arn(), epoch(a.Created)})
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(len(items), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		StateMachineAliases []item `json:"stateMachineAliases"`
		NextToken           string `json:"nextToken,omitempty"`
	}{items[page.from:page.to], next}, nil
}

// applyVersionRecord rebuilds versions and aliases from a journal record; it reports whether the record
// was one of theirs.
func (s *Service) applyVersionRecord(r *record) bool {
	switch r.Kind {
	case kindVersion:
		if r.Version != nil {
			if m := s.machines[r.Version.MachineArn]; m != nil {
				m.addVersion(r.Version)
			}
		}
	case kindVersionDeleted:
		if q, ok := parseQualifiedArn(r.Arn); ok && q.version > 0 {
			if m := s.machines[q.machine]; m != nil {
				delete(m.versions, q.version)
			}
		}
	case kindAlias:
		if r.Alias != nil {
			if m := s.machines[r.Alias.MachineArn]; m != nil {
				m.putAlias(r.Alias)
			}
		}
	case kindAliasDeleted:
		if q, ok := parseQualifiedArn(r.Arn); ok && q.alias != "" {
			if m := s.machines[q.machine]; m != nil {
				delete(m.aliases, q.alias)
			}
		}
	default:
		return false
	}
	return true
}

// versionRecords are the journal records of a machine's versions and aliases, for compaction; the
// caller holds s.mu for reading.
func versionRecords(m *machine) []*record {
	nums := make([]int, 0, len(m.versions))
	for n := range m.versions {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	recs := make([]*record, 0, len(nums)+len(m.aliases))
	for _, n := range nums {
		recs = append(recs, &record{Kind: kindVersion, Version: m.versions[n]})
	}
	names := make([]string, 0, len(m.aliases))
	for n := range m.aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		recs = append(recs, &record{Kind: kindAlias, Alias: m.aliases[n]})
	}
	return recs
}

// checkPublish validates CreateStateMachine's and UpdateStateMachine's publish and versionDescription:
// a description only with publish.
func checkPublish(publish bool, description *string) (string, error) {
	if description == nil {
		return "", nil
	}
	if !publish {
		return "", apiErrorf(CodeValidation, "Version description can only be set when publish is true")
	}
	return *description, checkVersionDescription(*description)
}

// versionOf returns the machine's version with this ARN, nil for none.
func (m *machine) versionOf(arn string) *versionRecord {
	q, ok := parseQualifiedArn(arn)
	if !ok || q.version == 0 || q.machine != m.rec.Arn {
		return nil
	}
	return m.versions[q.version]
}

// executionQualifier is how the history index keeps what an execution was started on: "<version>" or
// "<version>:<alias>", "" for the state machine itself.
func executionQualifier(rec executionRecord) string {
	v, ok := strings.CutPrefix(rec.VersionArn, rec.MachineArn+":")
	if !ok {
		return ""
	}
	if a, ok := strings.CutPrefix(rec.AliasArn, rec.MachineArn+":"); ok {
		return v + ":" + a
	}
	return v
}

// qualifierArns turns an executionQualifier back into the version and alias ARNs.
func qualifierArns(machineArn, qual string) (versionArn, aliasArn string) {
	if qual == "" {
		return "", ""
	}
	v, a, hasAlias := strings.Cut(qual, ":")
	versionArn = machineArn + ":" + v
	if hasAlias {
		aliasArn = machineArn + ":" + a
	}
	return versionArn, aliasArn
}
