package cloudwatch

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// QueryVersion is the API version that CloudWatch's query protocol requests carry in Version.
//
// The query protocol is CloudWatch's oldest: the operation and its parameters form-encoded (Action,
// Version, lists as Param.member.N, structures as Param.Member), in a POST body or, since "CloudWatch
// does not care which HTTP verb you use", a URL query; answers are XML with a ResponseMetadata/RequestId,
// errors an ErrorResponse. Older SDKs and CLIs (boto3 1.26, Debian's awscli 2.9) speak only this one.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/making-api-requests.html
const QueryVersion = "2010-08-01"

// queryNamespace is the XML namespace of the query protocol's answers.
const queryNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// IsQueryRequest reports whether r is a CloudWatch query protocol request: Version=2010-08-01 with an
// Action, in a form-encoded body or the URL query. To look into a body it reads it (at most the request
// limit) and puts it back, so r can still be served.
func IsQueryRequest(r *http.Request) bool {
	q := r.URL.Query()
	if q.Get("Version") == QueryVersion && q.Get("Action") != "" {
		return true
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.Body == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil {
		return false
	}
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("Version") == QueryVersion && form.Get("Action") != ""
}

// serveQuery answers a query protocol request.
func (s *Service) serveQuery(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	form := r.URL.Query()
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		if err != nil {
			writeQueryError(w, reqID, errSerialization(err))
			return
		}
		if len(body) > maxRequestBytes {
			writeQueryError(w, reqID, apiErrorf(CodeRequestEntityTooLarge, "Request size exceeded."))
			return
		}
		if len(body) > 0 {
			bodyForm, err := url.ParseQuery(string(body))
			if err != nil {
				writeQueryError(w, reqID, errSerialization(err))
				return
			}
			for k, v := range bodyForm {
				form[k] = v
			}
		}
	}
	op := form.Get("Action")
	if op == "" {
		op = form.Get("Operation") // the documented older name of Action
	}
	var target reflect.Type
	var handle func(decoder) (cbor.Value, error)
	switch op {
	case "PutMetricData":
		target, handle = reflect.TypeFor[putMetricDataInput](), s.putMetricData
	case "GetMetricData":
		target, handle = reflect.TypeFor[getMetricDataInput](), s.getMetricData
	case "GetMetricStatistics":
		target, handle = reflect.TypeFor[getMetricStatisticsInput](), s.getMetricStatistics
	case "ListMetrics":
		target, handle = reflect.TypeFor[listMetricsInput](), s.listMetrics
	default:
		writeQueryError(w, reqID, apiErrorf(CodeInvalidAction, "The action %s is not valid for this web service.", op))
		return
	}
	tree, _ := queryValue(form, target, "")
	doc, err := json.Marshal(tree)
	if err != nil {
		writeQueryError(w, reqID, errSerialization(err))
		return
	}
	out, err := handle(jsonDecoder(doc))
	if err != nil {
		if !errors.As(err, new(*apiError)) {
			s.opts.Logger.Error("cloudwatch: internal error", "operation", op, "err", err)
		}
		writeQueryError(w, reqID, err)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, op, queryNamespace)
	if m, ok := out.(cbor.Map); ok && len(m) > 0 {
		fmt.Fprintf(&b, "<%sResult>", op)
		writeXMLMembers(&b, m)
		fmt.Fprintf(&b, "</%sResult>", op)
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", reqID, op)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// queryValue builds, from the form, the JSON value of type t found at the parameter path prefix: the
// same document the JSON protocol would carry, so that one set of request types and one validation
// serve every protocol. ok is false when the form has nothing at prefix.
func queryValue(form url.Values, t reflect.Type, prefix string) (any, bool) {
	if t == reflect.TypeFor[awsTime]() {
		v, ok := form[prefix]
		if !ok {
			return nil, false
		}
		return v[0], true
	}
	if t.Kind() == reflect.Pointer {
		return queryValue(form, t.Elem(), prefix)
	}
	switch t.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		addQueryFields(form, t, prefix, out)
		return out, len(out) > 0
	case reflect.Slice:
		var out []any
		for i := 1; i <= maxQueryListMembers; i++ {
			v, ok := queryValue(form, t.Elem(), joinParam(prefix, "member."+strconv.Itoa(i)))
			if !ok {
				break
			}
			out = append(out, v)
		}
		_, empty := form[prefix] // "Param=" is an empty list in the query protocol
		return out, out != nil || empty
	}
	v, ok := form[prefix]
	if !ok {
		return nil, false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Float64:
		if _, err := strconv.ParseFloat(v[0], 64); err == nil {
			return json.Number(v[0]), true
		}
	case reflect.Bool:
		if b, err := strconv.ParseBool(v[0]); err == nil {
			return b, true
		}
	}
	return v[0], true // a string, or a value of the wrong type that decoding then reports
}

// maxQueryListMembers bounds the members read from one list parameter.
const maxQueryListMembers = 10000

func addQueryFields(form url.Values, t reflect.Type, prefix string, out map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addQueryFields(form, f.Type, prefix, out) // promoted fields, as encoding/json treats them
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		if v, ok := queryValue(form, f.Type, joinParam(prefix, name)); ok {
			out[name] = v
		}
	}
}

func joinParam(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// writeXMLMembers writes the members of an answer: a structure's members as elements (in name order),
// a list's items as <member> elements, timestamps in ISO 8601.
func writeXMLMembers(b *bytes.Buffer, m cbor.Map) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(b, "<%s>", k)
		writeXMLValue(b, m[k])
		fmt.Fprintf(b, "</%s>", k)
	}
}

func writeXMLValue(b *bytes.Buffer, v cbor.Value) {
	switch v := v.(type) {
	case cbor.Map:
		writeXMLMembers(b, v)
	case cbor.List:
		for _, e := range v {
			b.WriteString("<member>")
			writeXMLValue(b, e)
			b.WriteString("</member>")
		}
	case cbor.String:
		_ = xml.EscapeText(b, []byte(v))
	case cbor.Float64:
		b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 64))
	case cbor.Uint:
		b.WriteString(strconv.FormatUint(uint64(v), 10))
	case cbor.NegInt:
		b.WriteString("-" + strconv.FormatUint(uint64(v), 10))
	case cbor.Bool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case *cbor.Tag:
		if f, ok := v.Value.(cbor.Float64); ok && v.ID == 1 { // epoch seconds
			sec, frac := math.Modf(float64(f))
			t := time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
			b.WriteString(t.Format("2006-01-02T15:04:05.000Z"))
		}
	}
}

// writeQueryError writes the query protocol's ErrorResponse.
func writeQueryError(w http.ResponseWriter, reqID string, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errInternal
	}
	status := codes[e.code].status
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>`, queryNamespace, fault, codes[e.code].query)
	_ = xml.EscapeText(&b, []byte(e.message))
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", reqID)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
