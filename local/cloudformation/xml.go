package cloudformation

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// writeResult writes an operation's answer: <ActionResponse><ActionResult>result</ActionResult>
// <ResponseMetadata/></ActionResponse>; result nil writes no Result element.
func writeResult(w http.ResponseWriter, reqID, action string, result any) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, queryNamespace)
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			writeError(w, reqID, err)
			return
		}
		if err := enc.Flush(); err != nil {
			writeError(w, reqID, err)
			return
		}
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", reqID, action)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// timestamp formats a time as the query protocol's ISO 8601 timestamps.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

type xmlParameter struct {
	ParameterKey     string `xml:"ParameterKey"`
	ParameterValue   string `xml:"ParameterValue"`
	ResolvedValue    string `xml:"ResolvedValue,omitempty"`
	UsePreviousValue string `xml:"UsePreviousValue,omitempty"`
}

type xmlOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
	Description string `xml:"Description,omitempty"`
	ExportName  string `xml:"ExportName,omitempty"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlStack struct {
	StackID                     string                `xml:"StackId"`
	StackName                   string                `xml:"StackName"`
	ChangeSetID                 string                `xml:"ChangeSetId,omitempty"`
	Description                 string                `xml:"Description,omitempty"`
	Parameters                  members[xmlParameter] `xml:"Parameters"`
	CreationTime                string                `xml:"CreationTime"`
	DeletionTime                string                `xml:"DeletionTime,omitempty"`
	LastUpdatedTime             string                `xml:"LastUpdatedTime,omitempty"`
	StackStatus                 string                `xml:"StackStatus"`
	StackStatusReason           string                `xml:"StackStatusReason,omitempty"`
	DisableRollback             bool                  `xml:"DisableRollback"`
	NotificationARNs            members[string]       `xml:"NotificationARNs"`
	Capabilities                members[string]       `xml:"Capabilities"`
	Outputs                     members[xmlOutput]    `xml:"Outputs"`
	Tags                        members[xmlTag]       `xml:"Tags"`
	EnableTerminationProtection bool                  `xml:"EnableTerminationProtection"`
	DriftInformation            struct {
		StackDriftStatus string `xml:"StackDriftStatus"`
	} `xml:"DriftInformation"`
}

// members is a query protocol list: its items as <member> elements.
type members[T any] struct {
	Member []T `xml:"member"`
}

func list[T any](items []T) members[T] { return members[T]{Member: items} }
