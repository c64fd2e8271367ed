# interop/interop.mk — the interop tests and the same-run benchmark against
# real SSH peers in containers (docs/interop.md). Included by the Makefile,
# which runs `interop-run` for `make interop` and `interop-bench` for
# `make bench`. Needs root (namespaces, mounts, debootstrap); installs its
# host tools on a fresh Debian machine. Root filesystems are cached under
# $${XDG_CACHE_HOME:-$$HOME/.cache}/pqssh-interop.

INTEROP_HOST_TOOLS := debootstrap ip nsenter unshare nft
INTEROP_APT        := debootstrap iproute2 util-linux ca-certificates nftables
INTEROP_TIMEOUT    ?= 30m
INTEROP_RUN        ?= .
BENCH_FLAGS        ?=
# make bench draws the throughput ratios into this SVG (docs/benchmarks.md
# shows it); empty for none.
BENCH_CHART        ?= docs/throughput-vs-openssh.svg

.PHONY: interop-deps interop-bin interop-run interop-bench

interop-deps:
	@if [ "$$(id -u)" != 0 ]; then echo "interop tests need root (they build containers)" >&2; exit 1; fi
	@for t in $(INTEROP_HOST_TOOLS); do command -v $$t >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(INTEROP_APT); \
	fi

# Static binaries: they run inside the containers from /pqssh/bin. And a
# pqsshd with PAM in bin/pam/, built with cgo on the host: it links glibc
# and libpam.so.0 dynamically, so it runs in containers of the host's
# Debian release or a newer one (the PAM tests use trixie).
interop-bin: fork pam-deps
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...
	CGO_ENABLED=1 $(GO) build -ldflags '$(LDFLAGS)' -o bin/pam/ ./cmd/pqsshd

interop-run: interop-deps interop-bin deb
	$(GO) test -tags interop -count=1 -v -timeout $(INTEROP_TIMEOUT) -run '$(INTEROP_RUN)' ./interop/...

interop-bench: interop-deps interop-bin
	$(GO) run ./interop/bench -bin bin -go "$(GO)" $(if $(BENCH_CHART),-chart $(BENCH_CHART)) $(BENCH_FLAGS)
