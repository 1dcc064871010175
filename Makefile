# orderfleet: the two commands a newcomer needs are `make run` (demo) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

STACK := deploy/local/stack.sh
FLEET := deploy/local/fleet.sh
GO_TEST_FLAGS ?= -count=1 -timeout 30m
# The stack's connection settings, exported to the fleet and the tests.
STACK_ENV = set -a; source <($(STACK) env); set +a

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: run
# make run also starts the optional Prometheus on 127.0.0.1:19090, so the demo's metrics are scraped;
# ORDERFLEET_PROMETHEUS=0 make run leaves it out. make test never starts it.
run: export ORDERFLEET_PROMETHEUS ?= 1
run: stack-up build migrate deploy fleet-up ## stack + fleet up, then run one order per golden flow (fleetctl demo)
	@$(STACK_ENV); bin/fleetctl demo

.PHONY: test
test: stack-up fleet-down lint ## the whole suite (BPMN lint, vet, unit, integration, end-to-end) on the real stack; stops a `make run` fleet first
	@$(STACK_ENV); go test $(GO_TEST_FLAGS) ./...

.PHONY: bench
bench: stack-up ## relay, router and whole-fleet throughput beside raw kafka-go / raw PublishMessage / the bare engine, printed as ratios
	@$(STACK_ENV); go test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 30m ./internal/outbox/ ./internal/correlation/ ./internal/fleetbench/

.PHONY: bench-engine
bench-engine: ## the engine beside raw PostgreSQL commits
	@go test -count=1 -run '^$$' -bench BenchmarkEngineLine -benchtime 1x -timeout 20m ./internal/engine/conformance/

.PHONY: lint
lint: lint-bpmn vet ## bpmnlint with Camunda 8.6 compat rules, gofmt and go vet

.PHONY: lint-bpmn
lint-bpmn: bpmn/node_modules/.installed
	@cd bpmn && npx --no-install bpmnlint *.bpmn && echo "bpmnlint: clean"

bpmn/node_modules/.installed: bpmn/package.json bpmn/package-lock.json
	@cd bpmn && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: vet
vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	@go vet ./...

.PHONY: build
build: ## build every binary into bin/
	@mkdir -p bin && go build -o bin/ ./cmd/...

.PHONY: migrate
migrate: build ## apply database migrations to the stack's PostgreSQL
	@$(STACK_ENV); bin/fleetctl migrate

.PHONY: deploy
deploy: build ## deploy the BPMN in bpmn/ to the stack's engine
	@$(STACK_ENV); bin/fleetctl deploy

.PHONY: stack-up stack-down stack-status
stack-up: ## install what is missing, build the engine, start PostgreSQL, Redis, Kafka and the engine
	@$(STACK) up
stack-down: fleet-down ## stop the fleet and every stack process (by pid file, never by name)
	@$(STACK) down
stack-status: ## components, pids, ports, memory and URLs
	@$(STACK) status
	@$(FLEET) status

.PHONY: fleet-up fleet-down
fleet-up: build ## start every worker binary and relay in the background (logs in .stack/logs)
	@$(STACK_ENV); $(FLEET) up
fleet-down: ## stop the fleet binaries started by fleet-up
	@$(FLEET) down

.PHONY: clean
clean: stack-down ## stop everything and delete .stack/ (data, logs, downloads) and bin/
	rm -rf .stack bin
