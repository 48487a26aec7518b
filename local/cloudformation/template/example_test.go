package template_test

import (
	"fmt"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// A stack is provisioned in dependency order; each resource resolves against what came before.
func Example() {
	body := []byte(`
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: !If [IsProd, 1209600, !Ref AWS::NoValue]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub '${AWS::StackName}-${Stage}'
      Queue: !GetAtt Queue.Arn
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export: {Name: !Sub '${AWS::StackName}-topic'}
`)
	t, err := template.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := t.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	s, err := t.Bind(nil, template.Env{Region: "us-east-1", AccountID: "123456789012", StackName: "demo"})
	if err != nil {
		fmt.Println(err)
		return
	}
	order, _ := s.Order()
	done := template.Provisioned{}
	for _, id := range order {
		r, err := s.ResolveResource(id, done)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(id, r.Properties)
		arn := "arn:aws:" + id
		done[id] = template.Physical{Ref: arn, Attributes: map[string]any{"Arn": arn}}
	}
	outs, _ := s.Outputs(done)
	fmt.Println(outs[0].Key, outs[0].Value, outs[0].ExportName)

	_, err = t.Bind(map[string]string{"Stage": "test"}, template.Env{Region: "us-east-1"})
	fmt.Println(err)
	// Output:
	// Queue map[]
	// Topic map[DisplayName:demo-dev Queue:arn:aws:Queue]
	// TopicArn arn:aws:Topic demo-topic
	// Parameter 'Stage' must be one of AllowedValues
}
