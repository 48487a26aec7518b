package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// borrowDefs are machines whose histories a borrowing sink must see exactly as an owning one does: the
// instant ones run with the arena (payload texts lent), the one with a Task with lent details only.
var borrowDefs = []struct{ name, def, input string }{
	{"chain", `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"big.$":"$.big","n.$":"$.n","name.$":"$$.Execution.Name","o":{"k.$":"$.n"}},"ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":2,"Next":"C"}],"Default":"D"},
		"C":{"Type":"Pass","Result":{"x":[1,2]},"ResultPath":"$.c","Next":"D"},
		"D":{"Type":"Pass","Parameters":{"n.$":"$.a.n","all.$":"$"},"Assign":{"v.$":"$.n"},"Next":"E"},
		"E":{"Type":"Succeed"}}}`, ""},
	{"fanout", `{"StartAt":"P","States":{
		"P":{"Type":"Parallel","Branches":[
			{"StartAt":"L","States":{"L":{"Type":"Pass","Parameters":{"side":"left","big.$":"$.big"},"End":true}}},
			{"StartAt":"R","States":{"R":{"Type":"Pass","Parameters":{"side":"right","n.$":"$.n"},"End":true}}}],
			"ResultPath":"$.branches","Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value"},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"i.$":"$.i","w.$":"$.v"},"End":true}}},
			"ResultPath":"$.mapped","Next":"Z"},
		"Z":{"Type":"Pass","Parameters":{"count.$":"States.ArrayLength($.mapped)","b.$":"$.branches"},"End":true}}}`, ""},
	{"fails", `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"big.$":"$.big"},"ResultPath":"$.a","Next":"F"},
		"F":{"Type":"Fail","Error":"Custom.Error","Cause":"because"}}}`, ""},
	{"jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Output":"{% {'n': $states.input.n, 'big': $states.input.big} %}","Next":"B"},
		"B":{"Type":"Pass","Output":"{% $states.input %}","End":true}}}`, ""},
	{"task", `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::custom:echo","Parameters":{"n.$":"$.n","big.$":"$.big"},"ResultPath":"$.t","Next":"A"},
		"A":{"Type":"Pass","Parameters":{"n.$":"$.t.n"},"End":true}}}`, ""},
}

// borrowInputs are the executions' inputs: of different sizes, so that texts of one execution land where
// another's were, and one larger than the arena, whose texts are owned.
var borrowInputs = []string{
	`{"big":"` + strings.Repeat("x", 3000) + `","n":1,"items":[1,2,3]}`,
	`{"big":"y","n":3,"items":[]}`,
	`{"big":"` + strings.Repeat("z", 100<<10) + `","n":2,"items":["a"]}`,
	`{"big":[1,2,3],"n":4,"items":[{"k":1},{"k":2}]}`,
}

func borrowMachine(t testing.TB, def string) *Machine {
	t.Helper()
	echo := TaskInvokerFunc(func(_ context.Context, req TaskRequest) (any, error) { return req.Input, nil })
	return compile(t, def, WithClock(NewVirtualClock(epoch)), WithTaskInvoker(echo))
}

// eventText encodes an event as the comparisons read it.
func eventText(t testing.TB, ev HistoryEvent) string {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// eventStrings returns every string an event's details hold (payloads, names, errors).
func eventStrings(ev HistoryEvent) []string {
	var out []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		case reflect.String:
			out = append(out, v.String())
		}
	}
	walk(reflect.ValueOf(ev))
	return out
}

// keepingSink says it borrows events but, to check the interpreter's side of the contract, keeps every
// string of them (as it was handed over, and a copy) until the execution ends, and checks at every event
// that none it kept has changed: the interpreter must not write over a text it lent while the execution
// runs. It encodes each event during Record, as a borrowing sink may.
type keepingSink struct {
	events        []string
	kept, copies  []string
	changed       []string
	checkEachTime bool
}

var _ BorrowingSink = (*keepingSink)(nil)

func (s *keepingSink) BorrowsEvents() bool { return true }

func (s *keepingSink) Record(ev HistoryEvent) {
	if s.checkEachTime {
		s.check(fmt.Sprintf("at event %d", ev.ID))
	}
	b, err := json.Marshal(ev)
	if err != nil {
		s.changed = append(s.changed, err.Error())
	}
	s.events = append(s.events, string(b))
	for _, str := range eventStrings(ev) {
		s.kept, s.copies = append(s.kept, str), append(s.copies, strings.Clone(str))
	}
}

// check records each kept string that no longer reads as it did.
func (s *keepingSink) check(when string) {
	for i, k := range s.kept {
		if k != s.copies[i] {
			s.changed = append(s.changed, fmt.Sprintf("%s: text %d was %.40q, now %.40q", when, i, s.copies[i], k))
		}
	}
}

// ownedHistory runs input on a machine of its own with a HistoryLog: the history every sink must see.
func ownedHistory(t testing.TB, def, input, name string) []string {
	t.Helper()
	var h HistoryLog
	borrowMachine(t, def).Run(context.Background(), mustJSON(t, input), WithHistory(&h), WithExecutionName(name))
	var out []string
	for _, ev := range h.Events() {
		out = append(out, eventText(t, ev))
	}
	return out
}

// TestBorrowingSinkSeesTheSameHistory runs executions one after another, and side by side, on one machine
// with sinks that borrow their events (keepingSink) and checks that each sees, during Record, the history an
// owning sink gets on a machine of its own, and that no text lent to it changed before its execution ended.
// Run with -race: executions side by side must not share the buffers texts are lent from.
func TestBorrowingSinkSeesTheSameHistory(t *testing.T) {
	for _, d := range borrowDefs {
		t.Run(d.name, func(t *testing.T) {
			want := map[string][]string{}
			for i, in := range borrowInputs {
				name := fmt.Sprintf("exec-%d", i)
				want[name] = ownedHistory(t, d.def, in, name)
			}
			m := borrowMachine(t, d.def)
			runOne := func(i int) (string, []string) {
				name := fmt.Sprintf("exec-%d", i)
				s := &keepingSink{checkEachTime: true}
				m.Run(context.Background(), mustJSON(t, borrowInputs[i]), WithHistory(s), WithExecutionName(name))
				s.check("at the end of the execution")
				if len(s.changed) > 0 {
					return name, append([]string{"lent texts changed while the execution ran"}, s.changed...)
				}
				if diff := cmp.Diff(s.events, want[name]); diff != "" {
					return name, []string{"history (-got +want):\n" + diff}
				}
				return name, nil
			}
			for range 3 {
				for i := range borrowInputs {
					if name, errs := runOne(i); errs != nil {
						t.Fatalf("%s, one after another: %s", name, strings.Join(errs, "\n"))
					}
				}
			}
			var wg sync.WaitGroup
			for i := range borrowInputs {
				wg.Go(func() {
					for range 5 {
						if name, errs := runOne(i); errs != nil {
							t.Errorf("%s, side by side: %s", name, strings.Join(errs, "\n"))
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// notBorrowing implements BorrowingSink but says it does not borrow: it keeps its events.
type notBorrowing struct{ HistoryLog }

func (*notBorrowing) BorrowsEvents() bool { return false }

// TestOwningSinkKeepsItsHistory keeps the histories of executions whose sinks own their events (a HistoryLog,
// and a sink that answers BorrowsEvents with false) while executions with borrowing sinks run on the same
// machine, one after another and side by side, and checks that nothing in the kept events changed: a sink
// that does not borrow gets texts and details nobody writes again.
func TestOwningSinkKeepsItsHistory(t *testing.T) {
	for _, d := range borrowDefs {
		t.Run(d.name, func(t *testing.T) {
			m := borrowMachine(t, d.def)
			type kept struct {
				events []HistoryEvent
				texts  []string
			}
			var owned []kept
			record := func(events []HistoryEvent) {
				k := kept{events: events}
				for _, ev := range events {
					k.texts = append(k.texts, eventText(t, ev))
				}
				owned = append(owned, k)
			}
			borrowing := func(i int) {
				s := &keepingSink{}
				m.Run(context.Background(), mustJSON(t, borrowInputs[i]), WithHistory(s))
			}
			for i, in := range borrowInputs {
				var h HistoryLog
				m.Run(context.Background(), mustJSON(t, in), WithHistory(&h))
				record(h.Events())
				var nb notBorrowing
				m.Run(context.Background(), mustJSON(t, in), WithHistory(&nb))
				record(nb.Events())
				for j := range borrowInputs {
					borrowing((i + j) % len(borrowInputs))
				}
			}
			var wg sync.WaitGroup
			for i := range borrowInputs {
				wg.Go(func() {
					for range 5 {
						borrowing(i)
					}
				})
			}
			wg.Wait()
			for i, k := range owned {
				var got []string
				for _, ev := range k.events {
					got = append(got, eventText(t, ev))
				}
				if diff := cmp.Diff(got, k.texts); diff != "" {
					t.Errorf("owned history %d changed after executions with borrowing sinks (-got +want):\n%s", i, diff)
				}
			}
		})
	}
}

// TestTextArena checks the arena's bookkeeping: a text it holds reads as given and is recognised as its
// own, it never grows past maxArena (a text that does not fit is an owned copy), and reset keeps one
// chunk for the next execution.
func TestTextArena(t *testing.T) {
	var a textArena
	small := []byte(`{"a":1}`)
	s := a.text(small)
	if s != string(small) || !a.holds(s) {
		t.Fatalf("text(%q) = %q, held %v; want the same text, held", small, s, a.holds(s))
	}
	if a.holds(string(small)) || a.holds("") {
		t.Fatal("holds a string the arena did not make")
	}
	var texts []string
	big := make([]byte, 10<<10)
	for i := range 20 {
		big[0] = byte('a' + i)
		texts = append(texts, a.text(big))
		if a.size > maxArena {
			t.Fatalf("after %d texts of %d bytes the arena holds %d bytes, more than %d", i+1, len(big), a.size, maxArena)
		}
	}
	var held int
	for i, x := range texts {
		if x[0] != byte('a'+i) || len(x) != len(big) {
			t.Fatalf("text %d reads %q..., want %q...", i, x[:1], string(rune('a'+i)))
		}
		if a.holds(x) {
			held++
		}
	}
	if held == 0 || held == len(texts) {
		t.Fatalf("%d of %d texts of 10 KiB in the arena, want some but not all (it is bounded at %d)", held, len(texts), maxArena)
	}
	if huge := a.text(make([]byte, 2*maxArena)); a.holds(huge) {
		t.Fatal("a text larger than the arena's bound is in the arena")
	}
	a.reset()
	if len(a.full) != 0 || len(a.chunk) != 0 || a.size != cap(a.chunk) {
		t.Fatalf("after reset: %d full chunks, %d bytes used, size %d (chunk capacity %d)", len(a.full), len(a.chunk), a.size, cap(a.chunk))
	}
}

// TestTextCopiesLentText checks that thread.text, whose callers may keep what it returns (a task's
// payload, a child execution's input), never returns a text the arena holds, even for an object whose
// text the thread remembers from the history.
func TestTextCopiesLentText(t *testing.T) {
	var a textArena
	th := &thread{arena: &a}
	v := map[string]any{"k": "v"}
	lent := th.historyText(v)
	if !a.holds(lent) {
		t.Fatalf("historyText with an arena: %q is not in the arena", lent)
	}
	owned := th.text(v)
	if owned != lent || a.holds(owned) {
		t.Fatalf("text = %q (in the arena: %v), want %q, not in the arena", owned, a.holds(owned), lent)
	}
	if again := th.historyText(v); again != lent || a.holds(again) {
		t.Fatalf("historyText after text = %q (in the arena: %v), want the owned copy text remembered", again, a.holds(again))
	}
}
