package console

import (
	"encoding/json"
	"net/http"
	"sort"
)

type deadLettersData struct {
	Letters  []deadLetterRow
	Redriven bool
	Missing  bool
}

type deadLetterRow struct {
	DeadLetter
	Key   string
	Event string
}

func (c *Console) deadLetters(w http.ResponseWriter, r *http.Request) {
	d := deadLettersData{Redriven: r.URL.Query().Get("redriven") != ""}
	if c.dead == nil {
		d.Missing = true
		c.render(w, r, "deadletters", page{Title: "Dead letters", Nav: "dead", Data: d})
		return
	}
	list, err := c.dead.DeadLetters(r.Context())
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Time.After(list[j].Time) })
	for _, l := range list {
		var ev struct {
			Detail json.RawMessage `json:"detail"`
		}
		_ = json.Unmarshal(l.Event, &ev)
		row := deadLetterRow{DeadLetter: l, Event: indentJSON(string(l.Event))}
		// The event's detail is what an execution would have been started with under "detail".
		row.Key = objectOf(`{"detail":` + string(orNull(ev.Detail)) + `}`).Key
		d.Letters = append(d.Letters, row)
	}
	c.render(w, r, "deadletters", page{Title: "Dead letters", Nav: "dead", Data: d})
}

func orNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}
