# pilotsim — see README.md. Every target works on a fresh machine with Go 1.26.
GO       ?= go
BIN      := bin/pilotsim
# The version pilotsim reports (pilotsim version): the nearest tag and the
# commit, from git; "devel" outside a git checkout.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -X main.version=$(VERSION)
# make dist: static binaries for these GOOS/GOARCH pairs.
DIST_DIR ?= dist
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
# Packages that start goroutines: tested again under the race detector.
RACE_PKGS := ./sim/... ./cmd/...
FUZZTIME ?= 10s

.PHONY: build install dist run test bench lint tidy-check fuzz clean report-check

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/pilotsim

# go install puts pilotsim in $(go env GOBIN), else $(go env GOPATH)/bin:
# add that folder to PATH (README, "Install").
install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/pilotsim

# Static binaries (no cgo) for Linux, macOS and Windows on amd64 and arm64,
# for machines without Go, and their SHA-256 sums in $(DIST_DIR)/SHA256SUMS
# (check with: sha256sum -c SHA256SUMS).
dist:
	rm -rf $(DIST_DIR) && mkdir -p $(DIST_DIR)
	@for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  out=$(DIST_DIR)/pilotsim-$(VERSION)-$$os-$$arch$$ext; \
	  echo "$$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $$out ./cmd/pilotsim || exit 1; \
	done
	cd $(DIST_DIR) && sha256sum pilotsim-* > SHA256SUMS && cat SHA256SUMS

run: build
	./$(BIN) run scenarios/examples/seaport.yaml --out out/seaport --force

test:
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -race -short -timeout 30m $(RACE_PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# go.mod and go.sum as go mod tidy would write them (CI runs this).
tidy-check:
	$(GO) mod tidy -diff

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

# Render every kind of report in headless Chromium to PNG, to look at them as
# a reader would: out/report-check/*.png, each the whole page whatever its
# height (shot in a window taller than the page, then cropped by
# internal/pngtrim; a page taller than the window is shot again twice as
# tall). Two sets: the results package's fixtures (run, compare, sweep,
# sweep-grid, batch) and real runs of the shipped scenarios and data
# (seaport-run, nii-compare, expected-sweep, grid-batch: a batch of six
# seaport variants, kcs-backtest, and the Time Release Study of a seaport
# trace, seaport-trs).
# Debian: apt-get install -y chromium.
CHROMIUM    ?= chromium
REPORT_DIR  ?= out/report-check
REPORT_W    ?= 1200
REPORT_H    ?= 8000
REPORTS     := run compare sweep sweep-grid batch seaport-run nii-compare expected-sweep grid-batch kcs-backtest seaport-trs
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --hide-scrollbars \
	--disable-background-networking --disable-component-update --disable-sync
report-check: build
	@command -v $(CHROMIUM) >/dev/null || { echo "report-check needs $(CHROMIUM) (Debian: apt-get install -y chromium)"; exit 1; }
	rm -rf $(REPORT_DIR) && mkdir -p $(REPORT_DIR)
	$(GO) build -o bin/pngtrim ./internal/pngtrim
	$(GO) test ./results/ -count=1 -run 'TestRunReport|TestComparisonGolden|TestSweepFrontiersAndFiles|TestSweepGridReport|TestBatchReport' \
	  -report-dir $(abspath $(REPORT_DIR))
	./$(BIN) run scenarios/examples/seaport.yaml --quiet --reps 5 --out $(REPORT_DIR)/seaport-run > /dev/null
	./$(BIN) compare scenarios/examples/seaport.yaml scenarios/examples/nii-pilot.yaml --independent --quiet \
	  --out $(REPORT_DIR)/nii-compare > /dev/null 2>&1
	./$(BIN) sweep scenarios/examples/seaport.yaml --param selectivity.expected.red --values 0.01,0.02,0.04,0.06,0.08 \
	  --quiet --out $(REPORT_DIR)/expected-sweep > /dev/null 2>&1
	./$(BIN) sweep scenarios/examples/seaport.yaml --param selectivity.expected.red --values 0.02,0.04,0.06 \
	  --param 'resources.pools[physical].servers' --values 24,30 --batch-list $(REPORT_DIR)/grid.list > /dev/null
	./$(BIN) batch $(REPORT_DIR)/grid.list --quiet --out $(REPORT_DIR)/grid-batch > /dev/null
	./$(BIN) backtest --rules scenarios/examples/kcs/kcs-rules.yaml --mapping scenarios/examples/kcs/kcs-mapping.yaml \
	  --history testdata/kcs-synthetic/df_syn_train_eng.csv.gz --history testdata/kcs-synthetic/df_syn_valid_eng.csv.gz \
	  testdata/kcs-synthetic/df_syn_test_eng.csv.gz --out $(REPORT_DIR)/kcs-backtest > /dev/null
	./$(BIN) run scenarios/examples/seaport.yaml --quiet --reps 1 --trace --out $(REPORT_DIR)/seaport-trace > /dev/null
	./$(BIN) trs $(REPORT_DIR)/seaport-trace/consignments.csv --out $(REPORT_DIR)/seaport-trs > /dev/null 2>&1
	@for r in $(REPORTS); do \
	  test -s $(REPORT_DIR)/$$r/report.html || { echo "no report $$r"; exit 1; }; \
	  h=$(REPORT_H); \
	  while :; do \
	    profile=$$(mktemp -d); \
	    $(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir=$$profile --window-size=$(REPORT_W),$$h \
	      --screenshot=$(abspath $(REPORT_DIR))/$$r.png file://$(abspath $(REPORT_DIR))/$$r/report.html 2>/dev/null \
	      || { rm -rf $$profile; exit 1; }; \
	    rm -rf $$profile; \
	    test -s $(REPORT_DIR)/$$r.png || { echo "no screenshot of $$r"; exit 1; }; \
	    ./bin/pngtrim $(REPORT_DIR)/$$r.png 2>/dev/null && break; \
	    test $$? -eq 3 && test $$h -lt 64000 || { echo "cannot shoot the whole of $$r"; exit 1; }; \
	    h=$$((h * 2)); \
	  done; \
	  echo "$(REPORT_DIR)/$$r.png"; \
	done

clean:
	rm -rf bin $(DIST_DIR)
