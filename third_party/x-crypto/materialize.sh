#!/bin/sh
# Materializes the pqssh fork of golang.org/x/crypto: the pinned upstream
# release from the Go module cache (downloaded through the module proxy if
# needed) with our patches applied, in ./patched (git-ignored).
#
# Usage: third_party/x-crypto/materialize.sh   (run by `make fork`)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$(cat "$here/VERSION")
out="$here/patched"
stamp="$out/.pqssh-fork-stamp"

# go.mod must require the version we pin, so that what `go list -m` and
# readers of go.mod see is what the build uses.
required=$(sed -n 's/^[[:space:]]*golang\.org\/x\/crypto \(v[^ ]*\).*/\1/p' "$here/../../go.mod" | head -n 1)
if [ "$required" != "$version" ]; then
	echo "materialize: go.mod requires golang.org/x/crypto $required but third_party/x-crypto/VERSION pins $version" >&2
	exit 1
fi

# The stamp records the version and the digest of the patches: rebuild only
# when either changed.
want="$version $(cat "$here"/patches/*.patch | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

# Download outside our module so its replace directive does not interfere.
dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "golang.org/x/crypto@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "materialize: could not download golang.org/x/crypto@$version" >&2
	exit 1
fi

tmp="$out.tmp.$$"
rm -rf "$tmp"
cp -R "$dir" "$tmp"
chmod -R u+w "$tmp"
for p in "$here"/patches/*.patch; do
	if ! patch -s -p1 -d "$tmp" < "$p"; then
		echo "materialize: patch $(basename "$p") does not apply to x/crypto $version" >&2
		rm -rf "$tmp"
		exit 1
	fi
done
echo "$want" > "$tmp/.pqssh-fork-stamp"
rm -rf "$out"
mv "$tmp" "$out"
echo "materialize: golang.org/x/crypto $version + $(ls "$here"/patches/*.patch | wc -l) patches -> $out"
