package logs

import (
	"context"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Name rules from https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
// and API_CreateLogStream.html.
var (
	// groupNamePattern and streamNamePattern are the names' patterns in the API reference; the checks
	// use validGroupName and validStreamName, which match the same names (FuzzNamePatterns) at a
	// fraction of a counted repetition's cost: a stream name is checked on every PutLogEvents.
	groupNamePattern  = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)
	streamNamePattern = regexp.MustCompile(`^[^:*]{1,512}$`)
)

// retentionDays are the values PutRetentionPolicy accepts.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func checkGroupName(field, name string) error {
	if name == "" {
		return validationErrorf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if !validGroupName(name) {
		return validationErrorf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name, field)
	}
	return nil
}

// validGroupName reports whether name matches groupNamePattern: 1 to 512 of . - _ / # and ASCII letters
// and digits.
func validGroupName(name string) bool {
	if len(name) == 0 || len(name) > 512 {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_', c == '/', c == '#':
		default:
			return false
		}
	}
	return true
}

// validStreamName reports whether name matches streamNamePattern: 1 to 512 characters, none of them
// ':' or '*' (a byte that is not UTF-8 counts as one character, as for the pattern).
func validStreamName(name string) bool {
	return len(name) > 0 && !strings.ContainsAny(name, ":*") && (len(name) <= 512 || utf8.RuneCountInString(name) <= 512)
}

func checkStreamName(name string) error {
	if name == "" {
		return validationErrorf("Value null at 'logStreamName' failed to satisfy constraint: Member must not be null")
	}
	if !validStreamName(name) {
		return validationErrorf("Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name)
	}
	return nil
}

func checkRetention(days int) error {
	if !slices.Contains(retentionDays, days) {
		return validationErrorf("Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: %v", days, retentionDays)
	}
	return nil
}

// groupRef resolves logGroupName or logGroupIdentifier (a name or an ARN); exactly one may be given.
func (s *Service) groupRef(name, identifier string) (string, error) {
	if name != "" && identifier != "" {
		return "", apiErrorf(CodeInvalidParameter, "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	}
	if identifier != "" {
		if strings.HasPrefix(identifier, "arn:") {
			rest, ok := strings.CutPrefix(identifier, "arn:aws:logs:"+s.region+":"+s.account+":log-group:")
			if !ok {
				return "", errGroupNotFound
			}
			return strings.TrimSuffix(rest, ":*"), nil
		}
		return identifier, checkGroupName("logGroupIdentifier", identifier)
	}
	return name, checkGroupName("logGroupName", name)
}

// lookupGroup returns a group; the caller holds s.mu.
func (s *Service) lookupGroup(name string) (*group, error) {
	g := s.groups[name]
	if g == nil {
		return nil, errGroupNotFound
	}
	return g, nil
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
func (s *Service) createLogGroup(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogGroupClass string `json:"logGroupClass"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.LogGroupClass != "" && in.LogGroupClass != "STANDARD" {
		return nil, apiErrorf(CodeInvalidParameter, "Only the STANDARD log group class is served locally")
	}
	return struct{}{}, s.CreateLogGroup(ctx, in.LogGroupName, 0, false)
}

// CreateLogGroup creates a log group with a retention in days (0: never expire). With ensure, an existing
// group is not an error: its retention is set instead, as a CloudFormation update would.
func (s *Service) CreateLogGroup(ctx context.Context, name string, retention int, ensure bool) error {
	if err := checkGroupName("logGroupName", name); err != nil {
		return err
	}
	if retention != 0 {
		if err := checkRetention(retention); err != nil {
			return err
		}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	g := s.groups[name]
	s.mu.RUnlock()
	if g != nil {
		if !ensure {
			return errGroupExists
		}
		if g.retention == retention {
			return nil
		}
		return s.setRetentionLocked(ctx, g, retention)
	}
	rec := journalRecord{Kind: recGroup, Group: name, Created: s.nowMillis(), Retention: retention}
	if err := s.journal(ctx, rec); err != nil {
		return err
	}
	s.mu.Lock()
	s.applyGroup(rec)
	s.mu.Unlock()
	return nil
}

func (s *Service) applyGroup(rec journalRecord) {
	if g := s.groups[rec.Group]; g != nil {
		g.retention = rec.Retention
		return
	}
	s.groups[rec.Group] = &group{name: rec.Group, created: rec.Created, retention: rec.Retention, streams: map[string]*stream{}}
}

// setRetentionLocked journals and applies a retention change; the caller holds writeMu.
func (s *Service) setRetentionLocked(ctx context.Context, g *group, days int) error {
	rec := journalRecord{Kind: recGroup, Group: g.name, Created: g.created, Retention: days}
	if err := s.journal(ctx, rec); err != nil {
		return err
	}
	s.mu.Lock()
	g.retention = days
	s.mu.Unlock()
	s.expireLocked(ctx)
	return nil
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogGroup.html
func (s *Service) deleteLogGroup(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	_, err := s.lookupGroup(in.LogGroupName)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	rec := journalRecord{Kind: recGroupDelete, Group: in.LogGroupName}
	if err := s.journal(ctx, rec); err != nil {
		return nil, err
	}
	s.mu.Lock()
	dropped := s.applyGroupDelete(rec)
	s.mu.Unlock()
	s.release(dropped)
	return struct{}{}, nil
}

// applyGroupDelete removes a group and returns its batches; the caller holds s.mu.
func (s *Service) applyGroupDelete(rec journalRecord) []*batch {
	g := s.groups[rec.Group]
	if g == nil {
		return nil
	}
	delete(s.groups, rec.Group)
	return g.batches
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
func (s *Service) putRetentionPolicy(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName    string `json:"logGroupName"`
		RetentionInDays *int   `json:"retentionInDays"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil {
		return nil, validationErrorf("Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null")
	}
	if err := checkRetention(*in.RetentionInDays); err != nil {
		return nil, err
	}
	return struct{}{}, s.setRetention(ctx, in.LogGroupName, *in.RetentionInDays)
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteRetentionPolicy.html
func (s *Service) deleteRetentionPolicy(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return struct{}{}, s.setRetention(ctx, in.LogGroupName, 0)
}

func (s *Service) setRetention(ctx context.Context, name string, days int) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	g, err := s.lookupGroup(name)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	return s.setRetentionLocked(ctx, g, days)
}

type groupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
func (s *Service) describeLogGroups(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
		LogGroupNamePattern string `json:"logGroupNamePattern"`
		NextToken           string `json:"nextToken"`
		Limit               *int   `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, apiErrorf(CodeInvalidParameter, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	after, err := nameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := struct {
		LogGroups []groupOut `json:"logGroups"`
		NextToken string     `json:"nextToken,omitempty"`
	}{LogGroups: []groupOut{}}
	for _, name := range sortedNames(s.groups) {
		if name <= after || !strings.HasPrefix(name, in.LogGroupNamePrefix) ||
			in.LogGroupNamePattern != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(in.LogGroupNamePattern)) {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = encodeNameToken(out.LogGroups[limit-1].LogGroupName)
			break
		}
		g := s.groups[name]
		o := groupOut{LogGroupName: name, CreationTime: g.created, Arn: s.groupArn(name) + ":*", LogGroupArn: s.groupArn(name),
			LogGroupClass: "STANDARD"}
		if g.retention > 0 {
			days := g.retention
			o.RetentionInDays = &days
		}
		for _, b := range g.batches {
			o.StoredBytes += b.size
		}
		out.LogGroups = append(out.LogGroups, o)
	}
	return out, nil
}

func pageLimit(p *int, max int) (int, error) {
	if p == nil {
		return max, nil
	}
	if *p < 1 || *p > max {
		return 0, validationErrorf("Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", *p, max)
	}
	return *p, nil
}

// Name tokens carry the last name of the previous page.
func encodeNameToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n" + name))
}

func nameToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 2 || raw[0] != 'n' {
		return "", errBadToken
	}
	return string(raw[1:]), nil
}

func formatOffset(n int) string { return "@" + strconv.Itoa(n) }

func parseOffset(tok string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(tok, "@"))
	if err != nil || n < 0 || !strings.HasPrefix(tok, "@") {
		return 0, errBadToken
	}
	return n, nil
}
