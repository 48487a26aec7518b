package sfn

import (
	"testing"

	"github.com/sluicehq/sluice/asl"
)

func TestPureAcyclic(t *testing.T) {
	tests := []struct {
		name, def string
		want      bool
	}{
		{"pass chain", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`, true},
		{"choice to ends", `{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"Yes"}],"Default":"No"},
			"Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"E"}}}`, true},
		{"diamond", `{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"A"}],"Default":"B"},
			"A":{"Type":"Pass","Next":"D"},"B":{"Type":"Pass","Next":"D"},"D":{"Type":"Succeed"}}}`, true},
		{"choice loops back", `{"StartAt":"A","States":{
			"A":{"Type":"Pass","Next":"C"},
			"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"Done"}],"Default":"A"},
			"Done":{"Type":"Succeed"}}}`, false},
		{"choice to itself", `{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"C"}],"Default":"D"},"D":{"Type":"Succeed"}}}`, false},
		{"wait", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":1,"End":true}}}`, false},
		{"task", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}}`, false},
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm, err := asl.Parse([]byte(tt.def))
			if err != nil {
				t.Fatal(err)
			}
			if got := pureAcyclic(sm); got != tt.want {
				t.Errorf("pureAcyclic: got %v, want %v", got, tt.want)
			}
		})
	}
}
