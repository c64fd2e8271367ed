# pqssh — see README.md. Every target installs what it needs on a fresh machine.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go

.PHONY: all fork build run test test-fork fuzz interop bench drafts clean

all: build

# Materialize the x/crypto fork (pinned upstream + our patches) into the
# git-ignored third_party/x-crypto/patched that go.mod's replace points at.
fork:
	@third_party/x-crypto/materialize.sh

build: fork
	$(GO) build -o bin/ ./cmd/...

test: fork
	$(GO) vet ./...
	$(GO) test ./...
	$(MAKE) test-fork

# x/crypto's own ssh tests, run on the fork.
test-fork: fork
	cd third_party/x-crypto/patched && $(GO) test ./ssh/...

clean:
	rm -rf bin third_party/x-crypto/patched
