# notifyd — make test runs everything CI runs.
GO ?= go
FUZZTIME ?= 5s
# Packages with concurrency run under the race detector.
RACE_PKGS = ./internal/...

.PHONY: test unit race fuzz bench-smoke build run vet dist image deb release-test

test: vet race unit fuzz bench-smoke release-test

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

# Release binaries: static linux/amd64 and linux/arm64 builds of notifyd and notifyctl in
# dist/, stamped with the version (VERSION, default: git describe), commit and commit date,
# with LICENSE, NOTICE and SHA256SUMS. See docs/release.md.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null)
VERSION_PKG = github.com/notifyd/notifyd/internal/version
LDFLAGS = -s -w -X $(VERSION_PKG).version=$(VERSION) -X $(VERSION_PKG).commit=$(COMMIT) -X $(VERSION_PKG).date=$(DATE)
PLATFORMS = linux/amd64 linux/arm64

dist:
	rm -rf dist && mkdir -p dist
	@for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		for cmd in notifyd notifyctl; do \
			out=dist/$$cmd-$(VERSION)-$$os-$$arch; \
			echo "build $$out"; \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $$out ./cmd/$$cmd || exit 1; \
		done; \
	done
	cp LICENSE NOTICE dist/
	cd dist && sha256sum notifyd-* notifyctl-* LICENSE NOTICE > SHA256SUMS
	@cat dist/SHA256SUMS

# The release tooling (image, chart, package) is its own Go module under tools/release, so
# its dependencies (go-containerregistry, helm, kubeconform, nfpm) stay out of notifyd's.
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
ARCH ?= amd64

# An OCI image of notifyd and notifyctl as a tarball, built without a container engine.
image:
	cd tools/release && $(GO) run ./cmd/image -o $(CURDIR)/dist/notifyd-image.tar -arch $(ARCH) -version $(VERSION) -revision "$(REVISION)"

# A Debian package with a hardened systemd unit (nfpm), for ARCH (amd64 or arm64).
DEB_VERSION ?= $(shell git describe --tags --abbrev=0 2>/dev/null | sed 's/^v//' || echo 0.0.0)
deb:
	cd tools/release && $(GO) run ./cmd/deb -o $(CURDIR)/dist -arch $(ARCH) -version $(or $(DEB_VERSION),0.0.0)

# The release tooling's tests: the image runs, the chart renders and validates. One package
# at a time (-p 1): the image and the deb tests build the same static binaries, and run
# side by side each would compile them all; one after the other the second finds them in
# the build cache.
release-test:
	cd tools/release && $(GO) vet ./... && $(GO) test -p 1 -count=1 -timeout 15m ./...
