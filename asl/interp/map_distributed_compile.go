package interp

import (
	"fmt"
	"hash/fnv"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
)

// distSpec is the compiled distributed part of a Map state: where its
// items come from, how they are batched, where the results go, and how
// its Map Run and child executions are named.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
type distSpec struct {
	label         string // the Map Run's label: Label, or one derived from the state
	executionType string // STANDARD or EXPRESS
	reader        *readerSpec
	batcher       *batcherSpec
	writer        *writerSpec
}

// intSource is an integer field given as a constant, a reference path
// (the "...Path" form) or a JSONata expression.
type intSource struct {
	field string // the constant field's name, such as "MaxItems"
	set   bool
	val   int
	path  *jsonpath.Path
	expr  *jtemplate
}

type readerSpec struct {
	resource string
	params   *jsonpath.Template // JSONPath Parameters
	args     *jtemplate         // JSONata Arguments
	config   ReaderConfig       // without MaxItems
	maxItems intSource
}

type batcherSpec struct {
	maxItems, maxBytes intSource
	input              *jsonpath.Template // JSONPath BatchInput
	inputJ             *jtemplate         // JSONata BatchInput
}

type writerSpec struct {
	resource string
	params   *jsonpath.Template
	args     *jtemplate
	config   WriterConfig
}

// distributed compiles the ItemReader, ItemBatcher, ResultWriter, Label
// and ProcessorConfig of a distributed Map.
func (c *compiler) distributed(name string, st *asl.Map, proc *asl.ItemProcessor, jsonata bool) (*distSpec, error) {
	d := &distSpec{label: st.Label, executionType: string(asl.ExecutionStandard)}
	if d.label == "" {
		d.label = autoLabel(name)
	}
	if pc := proc.ProcessorConfig; pc != nil && pc.ExecutionType != "" {
		d.executionType = string(pc.ExecutionType)
	}
	var err error
	if r := st.ItemReader; r != nil {
		rs := &readerSpec{resource: r.Resource}
		if jsonata {
			rs.args, err = c.jsonata("ItemReader/Arguments", r.Arguments)
		} else {
			rs.params, err = c.template("ItemReader/Parameters", r.Parameters)
		}
		if err != nil {
			return nil, err
		}
		if rc := r.ReaderConfig; rc != nil {
			rs.config = ReaderConfig{InputType: rc.InputType, CSVHeaderLocation: rc.CSVHeaderLocation,
				CSVHeaders: rc.CSVHeaders, CSVDelimiter: rc.CSVDelimiter, ManifestType: rc.ManifestType,
				Transformation: rc.Transformation}
			if rs.maxItems, err = c.intSource("MaxItems", rc.MaxItems, rc.MaxItemsPath); err != nil {
				return nil, err
			}
		}
		d.reader = rs
	}
	if b := st.ItemBatcher; b != nil {
		bs := &batcherSpec{}
		if bs.maxItems, err = c.intSource("MaxItemsPerBatch", b.MaxItemsPerBatch, b.MaxItemsPerBatchPath); err != nil {
			return nil, err
		}
		if bs.maxBytes, err = c.intSource("MaxInputBytesPerBatch", b.MaxInputBytesPerBatch, b.MaxInputBytesPerBatchPath); err != nil {
			return nil, err
		}
		if jsonata {
			bs.inputJ, err = c.jsonata("ItemBatcher/BatchInput", b.BatchInput)
		} else {
			bs.input, err = c.template("ItemBatcher/BatchInput", b.BatchInput)
		}
		if err != nil {
			return nil, err
		}
		d.batcher = bs
	}
	if w := st.ResultWriter; w != nil {
		ws := &writerSpec{resource: w.Resource}
		if jsonata {
			ws.args, err = c.jsonata("ResultWriter/Arguments", w.Arguments)
		} else {
			ws.params, err = c.template("ResultWriter/Parameters", w.Parameters)
		}
		if err != nil {
			return nil, err
		}
		if wc := w.WriterConfig; wc != nil {
			ws.config = WriterConfig{OutputType: wc.OutputType, Transformation: wc.Transformation}
		}
		d.writer = ws
	}
	return d, nil
}

// intSource compiles a constant-or-expression field and its Path form.
func (c *compiler) intSource(field string, v *asl.IntExpr, path string) (intSource, error) {
	s := intSource{field: field}
	var err error
	switch {
	case v != nil && v.Expr != "":
		s.expr, err = c.jexpr(field, v.Expr)
		s.set = true
	case v != nil:
		s.val, s.set = v.Value, true
	case path != "":
		s.path, err = c.path(field+"Path", path)
		s.set = true
	}
	return s, err
}

// autoLabel is the label of a Map Run whose state has no Label: AWS
// generates one that identifies the Map state; here it is derived from the
// state's name, so that the same state always gets the same label.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html
func autoLabel(state string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(state))
	return fmt.Sprintf("%08x", h.Sum32())
}
