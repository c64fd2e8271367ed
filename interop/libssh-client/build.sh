#!/bin/sh
# build.sh ROOTFS — compiles client.c against the root filesystem's libssh
# (libssh-dev) with its own gcc, into ROOTFS/opt/pqi-libssh/. Run by the
# harness as a build step of peers.ForkyLibSSH (docs/interop.md).
set -eu
root=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$root/opt/pqi-libssh"
cp "$here/client.c" "$root/opt/pqi-libssh/client.c"
chroot "$root" gcc -O2 -Wall -Wextra -o /opt/pqi-libssh/pqi-libssh-client /opt/pqi-libssh/client.c -lssh
chroot "$root" /opt/pqi-libssh/pqi-libssh-client -h >/dev/null 2>&1 || test $? = 255
