# Telewave — the two commands: `make run` and `make test`.
# Both install what they need (Debian packages, Node for the test EHR).

GO        ?= go
BIN       := bin/telewave
export PATH := $(CURDIR)/.cache/node/node_modules/.bin:$(PATH)
# The cgo build (Fyne's GLFW driver) and everything else, which builds
# without cgo against Fyne's software driver (-tags ci).
CGO_BUILD := CGO_ENABLED=1 $(GO) build
UNIT_TEST := CGO_ENABLED=0 $(GO) test -tags ci

.PHONY: run build test test-unit test-race test-gl test-smoke vet deps-build deps-test bench load eval fuzz clean

run: build
	./$(BIN) --demo

build: deps-build
	$(CGO_BUILD) -o $(BIN) .

deps-build:
	@scripts/ensure-deps.sh build

deps-test:
	@scripts/ensure-deps.sh test
	cd test/fhirserver && npm ci --no-audit --no-fund --loglevel=error

# Everything: unit and integration tests (serial ptys, SQLite, the FHIR
# engine), vet, the cgo build, and the real window under Xvfb.
test: deps-test deps-build vet test-unit test-race build test-gl test-smoke

vet:
	CGO_ENABLED=0 $(GO) vet -tags ci ./...

test-unit:
	$(UNIT_TEST) -count=1 ./...

# The data path under the race detector (needs cgo). The ui package is left
# out: Fyne's test driver runs fyne.Do on the calling goroutine, so its tests
# race with their own polling, which the real main-thread driver cannot.
test-race:
	CGO_ENABLED=1 $(GO) test -race -tags ci -count=1 ./app/... ./devices/... ./storage/... ./sync/... ./formats/... ./dsp/... ./alarms/... ./audio/...

# The GL rasterizer against the CPU one, in its own offscreen context under
# Xvfb (the tests start it): the same scenes must give the same pixels.
test-gl:
	CGO_ENABLED=1 $(GO) test -tags gl -count=1 ./ui/render/compare ./ui/render/gl ./ui/render/backend

test-smoke: build
	mkdir -p build
	$(GO) test -count=1 -tags smoke ./test/smoke -binary $(CURDIR)/$(BIN) -shot $(CURDIR)/build/smoke.png -v

# Benchmarks of the hot paths; figures are kept in docs/benchmarks.md.
bench:
	$(UNIT_TEST) -run '^$$' -bench . -benchmem ./ui/render/cpu ./ui/waveview ./storage/... ./devices/... ./sync/... ./formats/... ./dsp/... ./alarms/... ./audio/... ./test/backlog ./test/browser
	CGO_ENABLED=1 $(GO) test -tags gl -run '^$$' -bench . -benchmem ./ui/render/gl ./ui/render/compare
	scripts/displaybench.sh 20

# Accuracy on the shared corpora (../shared/data): the EC57 beat-by-beat
# table of the QRS detector on MIT-BIH, and the heart-sound segmentation
# on the evaluation half of CirCor.
SHARED ?= ../shared/data
# The telehealth relay under load: 200 shares with 2 viewers each for 10
# minutes on 127.0.0.1 (the relay in a child process; its memory sampled).
# Figures in docs/benchmarks.md. LOAD_ARGS shortens it.
LOAD_ARGS ?= --shares 200 --viewers 2 --duration 10m
load:
	CGO_ENABLED=0 $(GO) run ./test/liveload $(LOAD_ARGS)

eval: build
	@test -d $(SHARED)/mitdb || { echo "make eval: $(SHARED)/mitdb not found: nothing to evaluate (SKIPPED)"; exit 1; }
	./$(BIN) eval-qrs $(SHARED)/mitdb
	./$(BIN) eval-pcg $(SHARED)/heart-sounds/circor

# Every fuzz target for a bounded time each (FUZZTIME, default 15s).
FUZZTIME ?= 15s
fuzz:
	@scripts/fuzz-all.sh $(FUZZTIME)

clean:
	rm -rf bin build
