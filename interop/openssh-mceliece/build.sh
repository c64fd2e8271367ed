#!/bin/sh
# build.sh ROOTFS — build Debian trixie's OpenSSH 10.0p1 with the project's
# Classic McEliece patch (mceliece6688128x25519-sha512, 1 MiB packets) inside
# a chroot-able trixie root filesystem, and install ssh, sshd (+ sshd-session,
# sshd-auth) and ssh-keygen under ROOTFS/opt/openssh-mceliece/.
#
# Idempotent: a stamp records the digest of the patch and of this script;
# when it matches and the binaries exist, nothing is done.
#
# Must run as root. Network is used only for Debian's package archive
# (apt-get build-dep / install / source inside the chroot).
#
# Environment:
#   PQSSH_MCELIECE_PREFIX   install prefix inside the rootfs (/opt/openssh-mceliece)
#   PQSSH_MCELIECE_CFLAGS   extra CFLAGS (e.g. -DDEBUG_KEXECDH); part of the digest
#   PQSSH_MCELIECE_FORCE=1  rebuild even when the stamp matches
set -eu

usage() { echo "usage: $0 ROOTFS" >&2; exit 2; }
[ $# -eq 1 ] || usage
ROOTFS=$(cd "$1" && pwd)
[ -x "$ROOTFS/bin/sh" ] || { echo "$0: $ROOTFS does not look like a root filesystem" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: must run as root (chroot)" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PQSSH_MCELIECE_PREFIX:-/opt/openssh-mceliece}
EXTRA_CFLAGS=${PQSSH_MCELIECE_CFLAGS:-}
PATCHES=$(ls "$HERE"/patches/*.patch | LC_ALL=C sort)
DIGEST=$( { cat $PATCHES "$HERE/build.sh"; echo "prefix=$PREFIX cflags=$EXTRA_CFLAGS"; } | sha256sum | cut -d' ' -f1)
STAMP="$ROOTFS$PREFIX/.pqssh-build-stamp"

# One build per rootfs at a time.
exec 9>"$ROOTFS/.pqssh-openssh-mceliece.lock"
flock 9

if [ "${PQSSH_MCELIECE_FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$DIGEST" ] \
	&& [ -x "$ROOTFS$PREFIX/bin/ssh" ] && [ -x "$ROOTFS$PREFIX/sbin/sshd" ]; then
	echo "openssh-mceliece: already built for digest $DIGEST in $ROOTFS$PREFIX"
	exit 0
fi

WORK=/usr/src/pqssh-openssh-mceliece
mkdir -p "$ROOTFS$WORK/patches"
rm -f "$ROOTFS$WORK"/patches/*.patch
cp $PATCHES "$ROOTFS$WORK/patches/"
[ -s "$ROOTFS/etc/resolv.conf" ] || cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

# Everything below runs inside the chroot, in a private mount namespace so
# the /proc and /dev mounts disappear with it.
cat > "$ROOTFS$WORK/inner.sh" <<INNER
#!/bin/sh
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
cd $WORK

if ! grep -rqs '^deb-src .*trixie' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo 'deb-src http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/pqssh-deb-src.list
fi
if [ ! -f .deps-ok ]; then
	apt-get update -qq
	# Only what our ./configure needs (OpenSSL, zlib; no PAM, Kerberos,
	# SELinux, libedit, GTK askpass): far less than "apt-get build-dep
	# openssh". dpkg-dev unpacks "apt-get source".
	apt-get install -y -qq --no-install-recommends gcc make libc6-dev \\
		libssl-dev zlib1g-dev autoconf libmceliece-dev dpkg-dev patch xz-utils
	apt-get clean
	touch .deps-ok
fi

rm -rf src && mkdir src && cd src
apt-get source -qq openssh 2>&1 | grep -v 'unsandboxed' || true
cd openssh-*/
for p in ../../patches/*.patch; do
	echo "applying \$p"
	patch -p1 --no-backup-if-mismatch < "\$p"
done
# configure.ac changed (--with-mceliece): regenerate configure and
# config.h.in (aclocal.m4 ships with the source, so no automake needed).
autoconf -f && autoheader -f
./configure -q --prefix=$PREFIX --sysconfdir=$PREFIX/etc --libexecdir=$PREFIX/libexec \
	--with-privsep-path=/run/sshd --with-mceliece \
	CFLAGS="-O2 -g -pipe $EXTRA_CFLAGS"
make -s -j\$(nproc) ssh sshd sshd-session sshd-auth ssh-keygen
install -d $PREFIX/bin $PREFIX/sbin $PREFIX/libexec $PREFIX/etc
install -m 0755 ssh ssh-keygen $PREFIX/bin/
install -m 0755 sshd $PREFIX/sbin/
install -m 0755 sshd-session sshd-auth $PREFIX/libexec/
mkdir -p /run/sshd
# sshd's privilege-separation user (openssh-server creates it too).
getent passwd sshd >/dev/null || useradd --system --home-dir /run/sshd --shell /usr/sbin/nologin sshd
$PREFIX/bin/ssh -V
# The build tree (~60 MB) is not needed any more: a new patch digest
# fetches the source again.
cd $WORK && rm -rf src
INNER
chmod 0755 "$ROOTFS$WORK/inner.sh"

unshare --mount --fork sh -c '
	set -e
	mount --make-rprivate /
	mount -t proc proc "$1/proc"
	mount --rbind /dev "$1/dev"
	exec chroot "$1" "$2/inner.sh"
' sh "$ROOTFS" "$WORK"

echo "$DIGEST" > "$STAMP"
echo "openssh-mceliece: built in $ROOTFS$PREFIX (digest $DIGEST)"
