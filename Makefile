# pilotsim — see README.md. Every target works on a fresh machine with Go 1.26.
GO       ?= go
BIN      := bin/pilotsim
# Packages that start goroutines: tested again under the race detector.
RACE_PKGS := ./sim/... ./cmd/...
FUZZTIME ?= 10s

.PHONY: build run test bench lint fuzz clean

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

clean:
	rm -rf bin
