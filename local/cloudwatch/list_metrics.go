package cloudwatch

import (
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

type listMetricsInput struct {
	Namespace      *string           `json:"Namespace"`
	MetricName     *string           `json:"MetricName"`
	Dimensions     []dimensionFilter `json:"Dimensions"`
	NextToken      *string           `json:"NextToken"`
	RecentlyActive string            `json:"RecentlyActive"`
}

// listPageSize is how many metrics ListMetrics returns per page.
const listPageSize = 500

func (s *Service) listMetrics(dec decoder) (cbor.Value, error) {
	in, err := bind[listMetricsInput](dec)
	if err != nil {
		return nil, err
	}
	if len(in.Dimensions) > 10 {
		return nil, errInvalidValue("The collection Dimensions must not have a size greater than 10.")
	}
	for i, f := range in.Dimensions {
		if f.Name == "" || len(f.Name) > maxNameLength {
			return nil, errInvalidValue("The value %s for parameter Dimensions.member.%d.Name is invalid.", f.Name, i+1)
		}
	}
	var since time.Time
	switch in.RecentlyActive {
	case "":
	case "PT3H":
		since = s.opts.Clock.Now().Add(-3 * time.Hour)
	default:
		return nil, errInvalidValue("The value %s for parameter RecentlyActive is invalid.", in.RecentlyActive)
	}
	offset, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	ns, name := "", ""
	if in.Namespace != nil {
		ns = *in.Namespace
	}
	if in.MetricName != nil {
		name = *in.MetricName
	}
	all := s.store.list(ns, name, in.Dimensions, since)
	if offset > len(all) {
		return nil, errNextToken()
	}
	page := all[offset:]
	resp := cbor.Map{}
	if len(page) > listPageSize {
		page = page[:listPageSize]
		resp["NextToken"] = cstr(encodeToken(offset + listPageSize))
	}
	metrics := cbor.List{}
	for _, sr := range page {
		dims := cbor.List{}
		for _, d := range sr.dims {
			dims = append(dims, cbor.Map{"Name": cstr(d.Name), "Value": cstr(d.Value)})
		}
		metrics = append(metrics, cbor.Map{"Namespace": cstr(sr.namespace), "MetricName": cstr(sr.name), "Dimensions": dims})
	}
	resp["Metrics"] = metrics
	return resp, nil
}
