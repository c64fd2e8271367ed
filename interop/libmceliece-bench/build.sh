#!/bin/sh
# build.sh ROOTFS — compile bench and mceliece-diff against libmceliece
# inside a trixie rootfs (libmceliece-dev installed, e.g. by
# ../openssh-mceliece/build.sh) into ROOTFS/opt/libmceliece-bench/.
# Idempotent: skips when the sources are unchanged.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 ROOTFS" >&2; exit 2; }
ROOTFS=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=/opt/libmceliece-bench
DIGEST=$(cat "$HERE/bench.c" "$HERE/diff.c" "$HERE/build.sh" | sha256sum | cut -d' ' -f1)
STAMP="$ROOTFS$OUT/.pqssh-build-stamp"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$DIGEST" ]; then
	echo "libmceliece-bench: already built in $ROOTFS$OUT"
	exit 0
fi
if [ ! -f "$ROOTFS/usr/include/mceliece.h" ] || [ ! -x "$ROOTFS/usr/bin/cc" ]; then
	chroot "$ROOTFS" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libmceliece-dev gcc libc6-dev' \
		|| { chroot "$ROOTFS" apt-get update -qq && chroot "$ROOTFS" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libmceliece-dev gcc libc6-dev'; }
fi
mkdir -p "$ROOTFS$OUT/src"
cp "$HERE/bench.c" "$HERE/diff.c" "$ROOTFS$OUT/src/"
chroot "$ROOTFS" sh -c "cc -O2 -Wall -Wextra -o $OUT/bench $OUT/src/bench.c -lmceliece && cc -O2 -Wall -Wextra -o $OUT/mceliece-diff $OUT/src/diff.c -lmceliece"
echo "$DIGEST" > "$STAMP"
echo "libmceliece-bench: built $OUT/bench and $OUT/mceliece-diff in $ROOTFS"
