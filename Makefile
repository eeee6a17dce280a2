# notifyd — make test runs everything CI runs.
GO ?= go
FUZZTIME ?= 5s
# Packages with concurrency run under the race detector.
RACE_PKGS = ./internal/...

.PHONY: test unit race fuzz bench-smoke build run vet

test: vet race unit fuzz bench-smoke

vet:
	$(GO) vet ./...

# Everything outside internal/ (domain, publish/, commands).
unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /internal/)

race:
	$(GO) test -race -count=1 -timeout 15m $(RACE_PKGS)
	$(GO) test -race -count=1 -tags faultinject ./internal/fault

fuzz:
	@if [ -x scripts/fuzz.sh ]; then FUZZTIME=$(FUZZTIME) scripts/fuzz.sh; fi

# Every benchmark once, at a small size (-short), to show it still runs.
bench-smoke:
	$(GO) test -short -run='^$$' -bench=. -benchtime=1x $$($(GO) list ./...)

build:
	$(GO) build -o bin/ ./cmd/...

run:
	$(GO) run ./cmd/notifyd
