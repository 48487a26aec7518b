package console

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// countLimit bounds what the home page counts (executions of a machine, objects under a prefix): past
// it the page says "10000+" rather than reading a long list on every visit.
const countLimit = 10_000

type machineSummary struct {
	Arn, Name, Type string
	Counts          map[string]int
	Total           int
	More            bool // more than countLimit
}

type prefixCount struct {
	Prefix string
	Count  int
	More   bool
}

type homeData struct {
	Endpoint    string
	Region      string
	Machines    []machineSummary
	Recent      []ExecutionRow
	Prefixes    []prefixCount
	DeadLetters int
	Health      []ServiceHealth
	Statuses    []string
}

// pipelinePrefixes are the bucket's prefixes the pipeline writes (tasks.Prefix* in the task code).
var pipelinePrefixes = []string{"incoming/", "processed/", "quarantine/", "failed/", "manifests/", "schemas/"}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := homeData{Endpoint: c.endpoint, Region: c.region, Statuses: listStatuses}
	machines, err := c.listMachines(ctx)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	for _, m := range machines {
		s := machineSummary{Arn: m.StateMachineArn, Name: m.Name, Type: m.Type, Counts: map[string]int{}}
		token := ""
		for {
			items, next, err := c.listPage(ctx, m.StateMachineArn, "", token, 1000)
			if err != nil {
				break
			}
			for _, it := range items {
				s.Counts[it.Status]++
				s.Total++
			}
			if token = next; token == "" {
				break
			}
			if s.Total >= countLimit {
				s.More = true
				break
			}
		}
		d.Machines = append(d.Machines, s)
	}
	if len(machines) > 0 {
		items, _, err := c.listPage(ctx, machines[0].StateMachineArn, "", "", 10)
		if err == nil {
			for _, it := range items {
				d.Recent = append(d.Recent, c.row(ctx, it))
			}
		}
	}
	if c.objects != nil {
		for _, p := range pipelinePrefixes {
			d.Prefixes = append(d.Prefixes, c.countPrefix(ctx, p))
		}
	}
	if c.dead != nil {
		if dl, err := c.dead.DeadLetters(ctx); err == nil {
			d.DeadLetters = len(dl)
		}
	}
	if c.health != nil {
		d.Health = c.health.Health(ctx)
	}
	c.render(w, r, "home", page{Title: "sluice", Nav: "home", Data: d})
}

func (c *Console) countPrefix(ctx context.Context, prefix string) prefixCount {
	pc := prefixCount{Prefix: prefix}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	p := s3.NewListObjectsV2Paginator(c.objects, &s3.ListObjectsV2Input{Bucket: aws.String(c.bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			pc.More = pc.Count > 0
			return pc
		}
		pc.Count += len(out.Contents)
		if pc.Count >= countLimit {
			pc.More = true
			return pc
		}
	}
	return pc
}
