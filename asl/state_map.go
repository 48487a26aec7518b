package asl

// Map runs a state machine for each item of an array (or, in distributed
// mode, of a data set read by ItemReader). Exactly one of ItemProcessor and
// its older name Iterator is set.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html
type Map struct {
	Comment       string
	QueryLanguage QueryLanguage

	ItemProcessor *ItemProcessor
	// Iterator is the deprecated name of ItemProcessor.
	Iterator *ItemProcessor

	// JSONPath fields.
	InputPath    Path
	ItemsPath    string
	ItemSelector any
	// Parameters is the deprecated form of ItemSelector.
	Parameters     any
	ResultSelector any
	ResultPath     Path
	OutputPath     Path

	// JSONata fields. Items is an array or an expression "{% ... %}".
	Items  any
	Output any

	ItemReader   *ItemReader
	ItemBatcher  *ItemBatcher
	ResultWriter *ResultWriter

	MaxConcurrency                 *IntExpr
	MaxConcurrencyPath             string
	ToleratedFailurePercentage     *NumExpr
	ToleratedFailurePercentagePath string
	ToleratedFailureCount          *IntExpr
	ToleratedFailureCountPath      string
	// Label names the Map Run (distributed mode).
	Label string

	Assign map[string]any
	Retry  []Retrier
	Catch  []Catcher
	Next   string
	End    bool
}

// ItemReader reads a distributed Map's items from a data source.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
type ItemReader struct {
	Resource string
	// Parameters (JSONPath) or Arguments (JSONata) locate the data.
	Parameters   any
	Arguments    any
	ReaderConfig *ReaderConfig
}

// ReaderConfig is an ItemReader's "ReaderConfig".
type ReaderConfig struct {
	// InputType is CSV, JSON, JSONL, PARQUET or MANIFEST.
	InputType string
	// CSVHeaderLocation is FIRST_ROW or GIVEN.
	CSVHeaderLocation string
	CSVHeaders        []string
	CSVDelimiter      string
	ManifestType      string
	// Transformation is NONE or LOAD_AND_FLATTEN (listObjectsV2: read each listed object's items).
	Transformation string
	MaxItems       *IntExpr
	MaxItemsPath   string
}

// ItemBatcher groups a distributed Map's items into batches.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
type ItemBatcher struct {
	MaxItemsPerBatch          *IntExpr
	MaxItemsPerBatchPath      string
	MaxInputBytesPerBatch     *IntExpr
	MaxInputBytesPerBatchPath string
	// BatchInput is a JSON object added to every batch.
	BatchInput any
}

// ResultWriter exports a distributed Map's results.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
type ResultWriter struct {
	Resource     string
	Parameters   any
	Arguments    any
	WriterConfig *WriterConfig
}

// WriterConfig is a ResultWriter's "WriterConfig".
type WriterConfig struct {
	OutputType     string
	Transformation string
}

// Processor returns the state machine the Map runs for each item: its
// ItemProcessor, or else its Iterator (nil if it has neither).
func (s *Map) Processor() *ItemProcessor {
	if s.ItemProcessor != nil {
		return s.ItemProcessor
	}
	return s.Iterator
}

// Mode reports the processing mode: DISTRIBUTED when ProcessorConfig says
// so, INLINE otherwise.
func (p *ItemProcessor) Mode() ProcessorMode {
	if p.ProcessorConfig != nil && p.ProcessorConfig.Mode == ModeDistributed {
		return ModeDistributed
	}
	return ModeInline
}
