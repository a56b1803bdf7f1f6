# pilotsim — see README.md. Every target works on a fresh machine with Go 1.26.
GO       ?= go
BIN      := bin/pilotsim
# Packages that start goroutines: tested again under the race detector.
RACE_PKGS := ./sim/... ./cmd/...
FUZZTIME ?= 10s

.PHONY: build run test bench lint fuzz clean report-check

build:
	$(GO) build -o $(BIN) ./cmd/pilotsim

run: build
	./$(BIN) run scenarios/examples/seaport.yaml --out out/seaport

test:
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -race -short $(RACE_PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

# A short run of every fuzz target (go test -fuzz takes one target at a time).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
	  done; \
	done

# Render the reports (run, compare, sweep) in headless Chromium to PNG, to look
# at them as a reader would: out/report-check/*.png. Two sets: the results
# package's fixtures (run, compare, sweep, sweep-grid) and real runs of the
# shipped seaport scenarios (seaport-run, nii-compare, expected-sweep).
# Debian: apt-get install -y chromium.
CHROMIUM    ?= chromium
REPORT_DIR  ?= out/report-check
REPORT_SIZE ?= 1200,6000
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync
report-check: build
	@command -v $(CHROMIUM) >/dev/null || { echo "report-check needs $(CHROMIUM) (Debian: apt-get install -y chromium)"; exit 1; }
	rm -rf $(REPORT_DIR) && mkdir -p $(REPORT_DIR)
	$(GO) test ./results/ -count=1 -run 'TestRunReport|TestComparisonGolden|TestSweepFrontiersAndFiles|TestSweepGridReport' \
	  -report-dir $(abspath $(REPORT_DIR))
	./$(BIN) run scenarios/examples/seaport.yaml --quiet --reps 5 --out $(REPORT_DIR)/seaport-run > /dev/null
	./$(BIN) compare scenarios/examples/seaport.yaml scenarios/examples/nii-pilot.yaml --independent --quiet \
	  --out $(REPORT_DIR)/nii-compare > /dev/null 2>&1
	./$(BIN) sweep scenarios/examples/seaport.yaml --param selectivity.expected.red --values 0.01,0.02,0.04,0.06,0.08 \
	  --quiet --out $(REPORT_DIR)/expected-sweep > /dev/null 2>&1
	@for r in run compare sweep sweep-grid seaport-run nii-compare expected-sweep; do \
	  profile=$$(mktemp -d); \
	  $(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir=$$profile --window-size=$(REPORT_SIZE) \
	    --screenshot=$(abspath $(REPORT_DIR))/$$r.png file://$(abspath $(REPORT_DIR))/$$r/report.html 2>/dev/null \
	    || { rm -rf $$profile; exit 1; }; \
	  rm -rf $$profile; \
	  test -s $(REPORT_DIR)/$$r.png || { echo "no screenshot of $$r"; exit 1; }; \
	  echo "$(REPORT_DIR)/$$r.png"; \
	done

clean:
	rm -rf bin
