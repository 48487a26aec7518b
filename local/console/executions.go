package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pageSize is the number of executions a list page shows.
const pageSize = 50

// searchBudget bounds the time one search spends reading executions it has not seen before; a search
// that runs out says how far it got.
const searchBudget = 5 * time.Second

// ExecutionRow is one line of the executions list.
type ExecutionRow struct {
	Arn, Name, Status, Machine string
	Start, Stop                time.Time
	Duration                   time.Duration
	Key, Outcome               string
}

type executionsData struct {
	Machines       []machineItem
	Machine        string
	Status, Query  string
	Rows           []ExecutionRow
	Next           string // the API's nextToken of the next page
	Offset         int    // a search's offset
	NextOffset     int
	Partial        bool
	Scanned        int
	Statuses       []string
	First          bool
	StartMachine   string
	RunningPresent bool
}

var listStatuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}

func (c *Console) row(ctx context.Context, it executionItem) ExecutionRow {
	r := ExecutionRow{Arn: it.ExecutionArn, Name: it.Name, Status: it.Status, Machine: it.StateMachineArn,
		Start: time.Time(it.StartDate), Stop: stopOf(it)}
	if r.Stop.IsZero() {
		r.Duration = c.now().Sub(r.Start)
	} else {
		r.Duration = r.Stop.Sub(r.Start)
	}
	i := c.infoOf(ctx, it)
	r.Key, r.Outcome = i.Key, i.Outcome
	return r
}

func (c *Console) executions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	machines, err := c.listMachines(ctx)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	q := r.URL.Query()
	d := executionsData{Machines: machines, Machine: q.Get("sm"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")),
		Statuses: listStatuses}
	if d.Machine == "" && len(machines) > 0 {
		d.Machine = machines[0].StateMachineArn
	}
	if d.Machine == "" {
		c.render(w, r, "executions", page{Title: "Executions", Nav: "executions", Data: d})
		return
	}
	if d.Query == "" {
		items, next, err := c.listPage(ctx, d.Machine, d.Status, q.Get("next"), pageSize)
		if err != nil {
			c.fail(w, r, http.StatusBadRequest, err)
			return
		}
		d.First = q.Get("next") == ""
		for _, it := range items {
			d.Rows = append(d.Rows, c.row(ctx, it))
		}
		d.Next = next
	} else {
		d.Offset, _ = strconv.Atoi(q.Get("offset"))
		d.Offset = max(d.Offset, 0)
		if err := c.search(ctx, &d); err != nil {
			c.fail(w, r, http.StatusBadRequest, err)
			return
		}
	}
	c.render(w, r, "executions", page{Title: "Executions", Nav: "executions", Data: d})
}

// search finds the executions whose name or object key contains the query, newest first, reading the
// whole list page by page (1,000 at a time) and each execution's input once.
func (c *Console) search(ctx context.Context, d *executionsData) error {
	needle := strings.ToLower(d.Query)
	deadline := time.Now().Add(searchBudget)
	token := ""
	matched := 0
	for {
		items, next, err := c.listPage(ctx, d.Machine, d.Status, token, 1000)
		if err != nil {
			return err
		}
		for _, it := range items {
			d.Scanned++
			ok := strings.Contains(strings.ToLower(it.Name), needle)
			if !ok {
				if _, cached := c.cache.get(it.ExecutionArn); !cached && time.Now().After(deadline) {
					d.Partial = true
					return nil
				}
				ok = strings.Contains(strings.ToLower(c.infoOf(ctx, it).Key), needle)
			}
			if !ok {
				continue
			}
			matched++
			if matched <= d.Offset {
				continue
			}
			if len(d.Rows) == pageSize {
				d.NextOffset = d.Offset + pageSize
				return nil
			}
			d.Rows = append(d.Rows, c.row(ctx, it))
		}
		if token = next; token == "" {
			return nil
		}
		if ctx.Err() != nil {
			return errors.Join(ctx.Err())
		}
	}
}
