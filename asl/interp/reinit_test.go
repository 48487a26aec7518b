package interp

import (
	"context"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// fill sets every field of the struct v points to (unexported ones included) to a value that is not its
// zero value, recursively, so that a reset that forgets a field leaves it showing.
func fill(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
		name := path + "." + v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.String:
			f.SetString("x")
		case reflect.Int, reflect.Int64:
			f.SetInt(7)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Func:
			f.Set(reflect.MakeFunc(f.Type(), func([]reflect.Value) []reflect.Value {
				panic("not called")
			}))
		case reflect.Interface:
			switch f.Type() {
			case reflect.TypeFor[any]():
				f.Set(reflect.ValueOf(map[string]any{"k": "v"}))
			case reflect.TypeFor[context.Context]():
				f.Set(reflect.ValueOf(context.Background()))
			case reflect.TypeFor[jsonpath.Host]():
				f.Set(reflect.ValueOf(new(thread)))
			default:
				t.Fatalf("%s: no value to fill an interface %s with", name, f.Type())
			}
		case reflect.Struct:
			if f.Type() == reflect.TypeFor[time.Time]() {
				f.Set(reflect.ValueOf(time.Now()))
				continue
			}
			fill(t, f, name)
		default:
			t.Fatalf("%s: no value to fill a %s with", name, f.Kind())
		}
	}
}

// TestReinitIsInit fills every field of a thread and checks that reinit leaves it exactly as init leaves a
// thread, field by field: a field added to thread and not to reinit fails here.
func TestReinitIsInit(t *testing.T) {
	m := compile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	e := m.newExecution(context.Background(), nil, nil)
	parent := &varScope{}
	var got thread
	fill(t, reflect.ValueOf(&got).Elem(), "thread")
	scratch := got.scratch
	got.reinit(e, parent)
	want := thread{scratch: scratch}
	want.init(e, parent)
	if got.vars != &got.ownVars || want.vars != &want.ownVars {
		t.Fatalf("vars: got %p (own %p), want the thread's own", got.vars, &got.ownVars)
	}
	gv, wv := reflect.ValueOf(&got).Elem(), reflect.ValueOf(&want).Elem()
	for i := range gv.NumField() {
		g := reflect.NewAt(gv.Field(i).Type(), unsafe.Pointer(gv.Field(i).UnsafeAddr())).Elem().Interface()
		w := reflect.NewAt(wv.Field(i).Type(), unsafe.Pointer(wv.Field(i).UnsafeAddr())).Elem().Interface()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("after reinit, %s = %#v, init leaves %#v", gv.Type().Field(i).Name, g, w)
		}
	}
}
