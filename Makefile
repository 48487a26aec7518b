# sluice: build, run and test an S3 -> EventBridge -> Step Functions -> Lambda pipeline.
# Every target works offline except `deploy` and `destroy` to AWS and the first `node-deps` (the npm registry).

GO        ?= go
FUZZTIME  ?= 1000x
BENCHTIME ?= 1x
STACK     ?= sluice
REGION    ?=
ARTIFACT_BUCKET ?=
ENDPOINT  ?=

# The offline template and ASL validators are part of the tests: make them mandatory here.
export SLUICE_REQUIRE_NODE_TOOLS ?= 1

.PHONY: all test gen gen-check build deploy destroy bench peer-deps lint fuzz run up node-deps

all: test

## test: lint, check generated files, run every test with the race detector (fuzz seeds included)
test: node-deps lint gen-check
	$(GO) test -race -count=1 -timeout 20m ./...

## gen: regenerate deploy/template.json, statemachine/pipeline.asl.json, test/sfnlocal/MockConfigFile.json
gen:
	$(GO) run ./cmd/sluice gen

## gen-check: fail when a committed generated file differs from what `make gen` writes
gen-check:
	$(GO) run ./cmd/sluice gen --check

## build: reproducible arm64 Lambda zips in dist/ (offline)
build:
	$(GO) run ./cmd/sluice build --out dist

# The optional settings of deploy and destroy, as flags.
DEPLOY_FLAGS = --stack "$(STACK)" $(if $(REGION),--region "$(REGION)") $(if $(ENDPOINT),--endpoint "$(ENDPOINT)")

## deploy: build, upload and deploy the stack through a change set (asks first), to AWS or to ENDPOINT:
## make deploy [STACK=sluice] [REGION=...] [ARTIFACT_BUCKET=...] [ENDPOINT=http://127.0.0.1:4566]
deploy: build
	$(GO) run ./cmd/sluice deploy --no-build $(DEPLOY_FLAGS) $(if $(ARTIFACT_BUCKET),--artifact-bucket "$(ARTIFACT_BUCKET)")

## destroy: delete the stack (asks first; the data bucket is retained): make destroy [STACK=...] [REGION=...] [ENDPOINT=...]
destroy:
	$(GO) run ./cmd/sluice destroy $(DEPLOY_FLAGS)

## bench: every benchmark once (BENCHTIME=1x); ratios against in-run baselines are reported as metrics,
## the engine's against its peer (aws-local-stepfunctions, installed when npm is present) in test/peerbench
bench: peer-deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## peer-deps: the engine's peer for test/peerbench, when npm is present (without it the peer is skipped)
peer-deps:
	@if ! command -v npm >/dev/null 2>&1; then echo "npm not found: test/peerbench runs without its peer"; \
	elif [ ! test/peerbench/node_modules/.package-lock.json -nt test/peerbench/package-lock.json ]; then \
		npm ci --prefix test/peerbench --no-audit --no-fund; fi

## lint: gofmt, go vet (the real-AWS tests too, behind the aws tag), go mod tidy
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags aws ./test/aws/
	$(GO) mod tidy -diff

## fuzz: run each fuzz target for FUZZTIME (a count of inputs: a duration trips go.dev/issue/75804 in Go 1.26)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1x $$pkg; \
		done; \
	done

## run: the main job: start the embedded local AWS, run the sample dataset through the pipeline, summarise;
## the data stays in .sluice (a next run adds to it) for `make up` to serve
run:
	$(GO) run ./cmd/sluice run --data .sluice

## up: build bin/sluice and serve the embedded local AWS on the data in .sluice (http://127.0.0.1:4566)
up:
	$(GO) build -o bin/sluice ./cmd/sluice
	bin/sluice up

## node-deps: the offline validators (asl-validator, aws-cdk-lib's cloudformation-validate, cdk-nag)
node-deps: test/validators/node_modules/.package-lock.json

test/validators/node_modules/.package-lock.json: test/validators/package-lock.json
	npm ci --prefix test/validators --no-audit --no-fund
