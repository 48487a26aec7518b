package sfn

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
)

// TestCheckpointsBeforeEffects checks which of the engine's snapshots reach the journal: one before each
// state with effects outside the execution (here a Parallel, which the engine does not snapshot inside)
// and one before the first state after it, none before a Pass, Choice, Succeed or Fail reached from the
// start or from another of them. A restart runs those again from the last durable point, to the same end.
// None either before a state with effects reached from a journaled snapshot through Choice states that
// give the same answer when run again (JSONPath, no Assign, nothing read from $$).
func TestCheckpointsBeforeEffects(t *testing.T) {
	tests := []struct {
		name string
		def  string
		want []string // the states before which a snapshot is journaled, in order
	}{
		{
			name: "pass chain",
			def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice",
				"Choices":[{"Variable":"$.x","IsPresent":true,"Next":"C"}],"Default":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: nil,
		},
		{
			name: "effects in the middle",
			def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"P"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"Next":"Q"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"C"},
				"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Fail","Error":"E"}}}`,
			want: []string{"P", "Q", "C"},
		},
		{
			name: "choice between effects",
			def: `{"StartAt":"P","States":{"B":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEqualsPath":"$.x","Next":"Q"}],"Default":"D"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"ResultPath":"$.p","Next":"B"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: []string{"P", "B", "D"},
		},
		{
			name: "choice reading the context object",
			def: `{"StartAt":"P","States":{"B":{"Type":"Choice","Choices":[{"Variable":"$$.State.EnteredTime","IsPresent":true,"Next":"Q"}],"Default":"D"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"ResultPath":"$.p","Next":"B"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: []string{"P", "B", "Q", "D"},
		},
		{
			name: "choice path operand reading the context object",
			def: `{"StartAt":"P","States":{"B":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.x","StringEqualsPath":"$$.Execution.Name"},"Next":"Q"}],"Default":"D"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"ResultPath":"$.p","Next":"B"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: []string{"P", "B", "Q", "D"},
		},
		{
			name: "choice assigning",
			def: `{"StartAt":"P","States":{"B":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Q"}],"Default":"D","Assign":{"t":"c"}},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"ResultPath":"$.p","Next":"B"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: []string{"P", "B", "Q", "D"},
		},
		{
			name: "jsonata choice",
			def: `{"StartAt":"P","States":{"B":{"Type":"Choice","QueryLanguage":"JSONata","Choices":[{"Condition":"{% $states.input.x = 1 %}","Next":"Q"}],"Default":"D"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"ResultPath":"$.p","Next":"B"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: []string{"P", "B", "Q", "D"},
		},
		{
			name: "pass between effects",
			def: `{"StartAt":"P","States":{"B":{"Type":"Pass","Next":"Q"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"ResultPath":"$.p","Next":"B"},
				"Q":{"Type":"Parallel","Branches":[{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"D"},"D":{"Type":"Succeed"}}}`,
			want: []string{"P", "B", "Q", "D"},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(WithDataDir(t.TempDir()), WithSync(false))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := t.Context()
			name := fmt.Sprintf("m%d", i)
			if _, err := s.createStateMachine(ctx, []byte(fmt.Sprintf(`{"name":%q,"definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, name, tt.def))); err != nil {
				t.Fatal(err)
			}
			arn, err := s.Start(ctx, s.machineArn(name), "e", `{"x":1}`)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Wait(ctx, arn); err != nil {
				t.Fatal(err)
			}
			var got []string
			err = s.journal.log.Replay(func(b []byte) error {
				var r record
				if err := json.Unmarshal(b, &r); err != nil {
					return err
				}
				if r.Kind == kindSnapshot && r.Arn == arn {
					got = append(got, r.Snapshot.State)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("journaled snapshots (-got +want):\n%s", diff)
			}
			// The history saved (its first events' text taken from the journal's records) is the one
			// an execution of the same machine without a journal saves, but for the times.
			stored, err := s.view(arn, true)
			if err != nil {
				t.Fatal(err)
			}
			mem, err := New()
			if err != nil {
				t.Fatal(err)
			}
			defer mem.Close()
			if _, err := mem.createStateMachine(ctx, []byte(fmt.Sprintf(`{"name":%q,"definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, name, tt.def))); err != nil {
				t.Fatal(err)
			}
			memArn, err := mem.Start(ctx, mem.machineArn(name), "e", `{"x":1}`)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mem.Wait(ctx, memArn); err != nil {
				t.Fatal(err)
			}
			unjournaled, err := mem.view(memArn, true)
			if err != nil {
				t.Fatal(err)
			}
			if stored.live != nil {
				t.Fatal("the journaled execution is still in memory, not in the history store")
			}
			if len(stored.events) == 0 {
				t.Fatal("no history stored")
			}
			noTimes := cmp.Transformer("noTimes", func(ev interp.HistoryEvent) interp.HistoryEvent { ev.Timestamp = time.Time{}; return ev })
			if diff := cmp.Diff(stored.events, unjournaled.events, noTimes); diff != "" {
				t.Errorf("history stored (-got +want):\n%s", diff)
			}
		})
	}
}
