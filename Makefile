# karma — the two commands a fresh machine needs are `make demo` and `make test`.

GO        ?= go
BIN       := bin
KARMA     := $(BIN)/karma
VERSITYGW := $(BIN)/versitygw
VERSITYGW_VERSION := v1.8.0

.PHONY: build demo test bench bench-apply bench-review bench-log bench-sync fixtures vet clean

build:
	$(GO) build -o $(KARMA) ./cmd/karma

## demo: apply the bundled demo configuration twice with a temporary log, then list the log
demo: build
	./scripts/demo.sh

## test: every test, against the real terraform and a real S3 server
test: $(VERSITYGW)
	$(GO) vet ./...
	$(GO) test -count=1 ./...

## bench: every benchmark, karma side by side with the tool it replaces
bench: bench-apply bench-review bench-log bench-sync
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

bench-apply: build
	./bench/apply.sh

bench-review: build
	./bench/review.sh

bench-log: build
	./bench/log.sh

bench-sync: build $(VERSITYGW)
	./bench/sync.sh

## fixtures: make the plan fixtures again with the real terraform, then their golden renderings
fixtures:
	$(GO) run ./internal/planfixture/genplans fixtures/plans
	$(GO) test ./render -run TestGoldenRenderings -update

# Versity S3 Gateway, the S3 server the mirror tests run against; built once.
$(VERSITYGW):
	GOBIN=$(abspath $(BIN)) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN)
