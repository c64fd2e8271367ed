#!/bin/sh
# selftest.sh ROOTFS — loopback check of the patched OpenSSH built by
# build.sh: patched ssh -> patched sshd with each McEliece method name (and
# the stock mlkem768x25519-sha256 and sntrup761x25519-sha512), in
# a private network/mount/PID namespace (only its own loopback is used).
# Checks that `ssh -v` reports the negotiated method, that a command runs,
# and that a rekey under the same method (forced by RekeyLimit, so it runs
# through sshd-session's monitor path with 1 MiB packets encrypted) works.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 ROOTFS" >&2; exit 2; }
ROOTFS=$(cd "$1" && pwd)
PREFIX=${PQSSH_MCELIECE_PREFIX:-/opt/openssh-mceliece}
[ -x "$ROOTFS$PREFIX/sbin/sshd" ] || { echo "$0: run build.sh first" >&2; exit 2; }

cat > "$ROOTFS/tmp/pqssh-mceliece-selftest.sh" <<INNER
#!/bin/sh
set -eu
P=$PREFIX
D=\$(mktemp -d /tmp/pqssh-mc.XXXXXX)
mkdir -p /run/sshd && chmod 0755 /run/sshd
\$P/bin/ssh-keygen -q -t ed25519 -N '' -f \$D/hostkey
\$P/bin/ssh-keygen -q -t ed25519 -N '' -f \$D/userkey
cp \$D/userkey.pub \$D/authorized_keys
cat > \$D/sshd_config <<CFG
ListenAddress 127.0.0.1:2222
HostKey \$D/hostkey
PermitRootLogin prohibit-password
AuthorizedKeysFile \$D/authorized_keys
StrictModes no
PidFile none
KexAlgorithms mceliece6688128x25519-sha512,mceliece6688128x25519-sha512@openssh.com,mlkem768x25519-sha256,sntrup761x25519-sha512
CFG
\$P/sbin/sshd -D -e -f \$D/sshd_config 2>\$D/sshd.log &
SSHD=\$!
trap 'kill \$SSHD 2>/dev/null || true' EXIT
i=0; while ! grep -q 'Server listening' \$D/sshd.log; do i=\$((i+1)); [ \$i -lt 50 ] || { cat \$D/sshd.log; exit 1; }; sleep 0.1; done
fail=0
# The stock methods must still work (the patch touches the shared paths).
for kex in mceliece6688128x25519-sha512 mceliece6688128x25519-sha512@openssh.com mlkem768x25519-sha256 sntrup761x25519-sha512; do
	out=\$(\$P/bin/ssh -v -F none -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o KexAlgorithms=\$kex -i \$D/userkey \
		-p 2222 root@127.0.0.1 'echo pqssh-ok' 2>\$D/ssh.log) || true
	if [ "\$out" = pqssh-ok ] && tr -d '\\r' < \$D/ssh.log | grep -qx "debug1: kex: algorithm: \$kex"; then
		echo "PASS \$kex"
	else
		echo "FAIL \$kex"; tail -20 \$D/ssh.log; fail=1
	fi
done
# Rekey every 256 KiB while moving 4 MB: several McEliece exchanges after
# NEWKEYS, handled by sshd-session (monitor.c) rather than sshd-auth.
kex=mceliece6688128x25519-sha512
n=\$(\$P/bin/ssh -v -F none -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o KexAlgorithms=\$kex -o RekeyLimit=256K \
	-i \$D/userkey -p 2222 root@127.0.0.1 'head -c 4000000 /dev/zero' 2>\$D/ssh-rekey.log | wc -c)
rk=\$(tr -d '\\r' < \$D/ssh-rekey.log | grep -cx "debug1: kex: algorithm: \$kex" || true)
if [ "\$n" = 4000000 ] && [ "\$rk" -ge 3 ]; then
	echo "PASS rekey (\$rk exchanges)"
else
	echo "FAIL rekey: got \$n bytes, \$rk exchanges"; tail -20 \$D/ssh-rekey.log; tail -20 \$D/sshd.log; fail=1
fi
kill \$SSHD; wait \$SSHD 2>/dev/null || true
trap - EXIT
rm -rf \$D
exit \$fail
INNER
chmod 0755 "$ROOTFS/tmp/pqssh-mceliece-selftest.sh"

rc=0
unshare --mount --pid --net --uts --fork sh -c '
	set -e
	mount --make-rprivate /
	mount -t proc proc "$1/proc"
	mount --rbind /dev "$1/dev"
	ip link set lo up
	exec chroot "$1" /tmp/pqssh-mceliece-selftest.sh
' sh "$ROOTFS" || rc=$?
rm -f "$ROOTFS/tmp/pqssh-mceliece-selftest.sh"
exit $rc
