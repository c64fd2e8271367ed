# pqssh — see README.md. Every target installs what it needs on a fresh
# Debian machine (run as root there, as CI does).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go

# make run: where the development pqsshd keeps its state, and its port.
DEV_DIR  ?= .dev
DEV_PORT ?= 2222
# make fuzz: how much each fuzz target runs. A count of executions (Nx), not a
# duration: Go 1.26's fuzz coordinator can report a spurious "context deadline
# exceeded" failure when a duration -fuzztime expires while a worker is mid-call
# (golang/go#75804, fixed in Go 1.27); a count has no deadline to race.
FUZZTIME ?= 100000x

# Debian packages the tests drive as peers or transports (OpenSSH's own
# ssh/scp/sftp/ssh-keygen/ssh-agent, rsync, git, tmux for terminal tests; fail2ban
# for fail2ban-regex on pqsshd's log lines; debootstrap for the harness unit tests).
# mandoc and zsh check the manual pages and the zsh completion (packaging/).
TEST_APT  := openssh-client openssh-server rsync git tmux fail2ban debootstrap mandoc zsh
TEST_BINS := ssh sftp scp ssh-keygen ssh-agent rsync git tmux fail2ban-regex debootstrap mandoc zsh

.PHONY: all fork pam-deps build run test test-deps test-root test-fork test-purego fuzz interop bench drafts deb deb-deps clean

all: build

# Materialize the x/crypto fork (pinned upstream + our patches) into the
# git-ignored third_party/x-crypto/patched that go.mod's replace points at.
fork:
	@third_party/x-crypto/materialize.sh

# The commit pqssh -V reports when the build carries no VCS information
# (GOFLAGS=-buildvcs=false, or a git worktree the go command cannot read).
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -modified)
LDFLAGS := -X github.com/pqssh/pqssh/client.Commit=$(COMMIT)

# PAM (UsePAM) needs cgo: a C compiler and libpam's headers (Debian's
# libpam0g-dev). A build with CGO_ENABLED=0 needs neither and has no PAM.
PAM_APT := gcc libc6-dev libpam0g-dev
pam-deps:
	@if [ "$$(CGO_ENABLED= $(GO) env CGO_ENABLED)" = 1 ] && [ "$${CGO_ENABLED:-1}" != 0 ] && \
	    { ! command -v gcc >/dev/null || [ ! -e /usr/include/security/pam_appl.h ]; }; then \
		if [ "$$(id -u)" != 0 ]; then echo "PAM support needs: $(PAM_APT) (run as root to install them, or build with CGO_ENABLED=0 for no PAM)" >&2; exit 1; fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(PAM_APT); \
	fi

build: fork pam-deps
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...

# A development pqsshd on 127.0.0.1:$(DEV_PORT) in the foreground, with a
# client key authorized for you; it prints the pqssh and ssh commands.
run: build
	@$(GO) run ./internal/devenv -port $(DEV_PORT) $(DEV_DIR)
	exec bin/pqsshd -D -e -f $(DEV_DIR)/sshd_config

test-deps:
	@for b in $(TEST_BINS); do command -v $$b >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "make test needs: $(TEST_APT) (run as root to install them)" >&2; exit 1; fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(TEST_APT); \
	fi

test: fork test-deps pam-deps
	$(GO) vet ./...
	$(GO) vet -tags root ./...
	$(GO) test -timeout 20m ./...
	$(MAKE) test-root
	$(MAKE) test-purego
	$(MAKE) test-fork

# Tests that need root (build tag "root": they create system accounts with
# useradd and check what pqsshd does as them). make test runs them; as
# another user this target fails and says so, it never skips them.
ROOT_TEST_FILES = $(shell grep -l '^//go:build root$$' $$(git ls-files '*_test.go' 2>/dev/null || find . -name '*_test.go'))
ROOT_TEST_PKGS  = $(sort $(foreach f,$(ROOT_TEST_FILES),./$(patsubst %/,%,$(dir $(f)))))
ROOT_TESTS      = $(shell sed -n 's/^func \(Test[A-Za-z0-9_]*\)(t \*testing\.T).*/\1/p' $(ROOT_TEST_FILES) | paste -sd'|')
test-root: fork pam-deps
	@if [ "$$(id -u)" != 0 ]; then echo "make test-root: these tests need root (they create system accounts): $(ROOT_TEST_PKGS)" >&2; exit 1; fi
	$(GO) test -tags root -timeout 20m -run '^($(ROOT_TESTS))$$' $(ROOT_TEST_PKGS)

# The pure-Go fallbacks of the KEM and McTiny kernels (no assembly).
test-purego: fork
	$(GO) test -tags purego ./kem/... ./mctiny/...

# x/crypto's own ssh tests, run on the fork.
test-fork: fork
	cd third_party/x-crypto/patched && $(GO) test ./ssh/... ./chacha20/... ./chacha20poly1305/... && \
		$(GO) test -tags purego ./chacha20/... ./ssh/internal/vaesgcm/... && \
		$(GO) test -tags purego -run 'GCM|CVE' ./ssh/

# Every fuzz target in the repository for $(FUZZTIME) each (CI runs this
# briefly; a finding fails the run and leaves its input in testdata/fuzz).
fuzz: fork
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./third_party/' | sort | \
	while read -r f; do \
		pkg=./$$(dirname "$${f#./}"); \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$f"); do \
			echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) "$$pkg" </dev/null; \
		done; \
	done

# Interop tests and the same-run benchmark against real SSH peers in
# containers (docs/interop.md): interop/interop.mk.
include interop/interop.mk

interop: interop-run

bench: interop-bench

# Render our Internet-Drafts (markdown, mmark) to RFC XML v3 and HTML in
# drafts/out/.
drafts:
	@command -v mmark >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmark; }
	@mkdir -p drafts/out
	@set -e; for d in drafts/draft-*.md; do \
		n=$$(basename "$$d" .md); \
		mmark "$$d" > drafts/out/$$n.xml; \
		mmark -html "$$d" > drafts/out/$$n.html; \
		grep -q '<rfc' drafts/out/$$n.xml || { echo "$$d: mmark produced no RFC XML" >&2; exit 1; }; \
		echo "drafts/out/$$n.xml drafts/out/$$n.html"; \
	done

# The Debian package bin/deb/pqssh_VERSION_ARCH.deb (packaging/mkdeb.sh:
# dpkg-deb, no debhelper), checked with lintian. DEB_VERSION overrides the
# version (default 0.1+gitDATE.COMMIT).
# pqsshd in the package is built with cgo (PAM): gcc and libpam0g-dev;
# dpkg-shlibdeps (dpkg-dev) computes its shared-library Depends.
DEB_APT  := mandoc lintian dpkg-dev gcc libc6-dev libpam0g-dev
DEB_BINS := mandoc lintian dpkg-shlibdeps gcc
DEB_DIR  ?= bin/deb
deb-deps:
	@for b in $(DEB_BINS); do command -v $$b >/dev/null || missing=1; done; \
	[ -e /usr/include/security/pam_appl.h ] || missing=1; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "make deb needs: $(DEB_APT) (run as root to install them)" >&2; exit 1; fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_APT); \
	fi

deb: fork deb-deps
	@rm -f $(DEB_DIR)/pqssh_*.deb
	@deb=$$(GO=$(GO) packaging/mkdeb.sh $(DEB_DIR)) && echo "$$deb" && \
		lintian --fail-on error,warning "$$deb"

clean:
	rm -rf bin drafts/out third_party/x-crypto/patched
