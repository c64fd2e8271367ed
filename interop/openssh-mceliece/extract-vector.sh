#!/bin/sh
# extract-vector.sh ROOTFS OUT.txt.gz [KEX]
#
# Builds (if needed) the patched OpenSSH with -DDEBUG_KEX -DDEBUG_KEXECDH
# under /opt/openssh-mceliece-debug in ROOTFS, runs one exchange of KEX
# (default mceliece6688128x25519-sha512) between the debug ssh and sshd in a
# private network namespace, and writes the client's dumped values as a
# gzip'd "name = hex" file (see vectors/README.md). Retries until the
# shared secret K starts with a byte >= 0x80 (so string vs mpint encoding
# of K is distinguishable).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 ROOTFS OUT.txt.gz [KEX]" >&2; exit 2; }
ROOTFS=$(cd "$1" && pwd)
OUT=$2
KEX=${3:-mceliece6688128x25519-sha512}
HERE=$(cd "$(dirname "$0")" && pwd)
P=/opt/openssh-mceliece-debug
PQSSH_MCELIECE_PREFIX=$P PQSSH_MCELIECE_CFLAGS="-DDEBUG_KEX -DDEBUG_KEXECDH" "$HERE/build.sh" "$ROOTFS" >&2

cat > "$ROOTFS/tmp/pqssh-mc-vector.sh" <<INNER
#!/bin/sh
set -eu
D=/tmp/pqssh-mc-vector
rm -rf \$D && mkdir -p \$D /run/sshd
$P/bin/ssh-keygen -q -t ed25519 -N '' -f \$D/hostkey
$P/bin/ssh-keygen -q -t ed25519 -N '' -f \$D/userkey
cp \$D/userkey.pub \$D/authorized_keys
cat > \$D/sshd_config <<CFG
ListenAddress 127.0.0.1:2222
HostKey \$D/hostkey
PermitRootLogin prohibit-password
AuthorizedKeysFile \$D/authorized_keys
StrictModes no
PidFile none
KexAlgorithms $KEX
CFG
# Through a pipe: sshd-auth's rlimit sandbox (RLIMIT_FSIZE 0) kills it
# with SIGXFSZ when the debug dumps go to a regular file.
mkfifo \$D/sshd.fifo
cat \$D/sshd.fifo > \$D/sshd.log &
$P/sbin/sshd -D -e -f \$D/sshd_config 2>\$D/sshd.fifo &
SSHD=\$!
trap 'kill \$SSHD 2>/dev/null || true' EXIT
i=0; while ! grep -q 'Server listening' \$D/sshd.log; do i=\$((i+1)); [ \$i -lt 50 ] || exit 1; sleep 0.1; done
for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	$P/bin/ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o KexAlgorithms=$KEX \
		-c aes256-ctr -m hmac-sha2-256 -i \$D/userkey -p 2222 root@127.0.0.1 true 2>\$D/client.log || true
	# first byte of K: line after "encoded shared secret:", 5th byte
	b=\$(sed -n '/^encoded shared secret:/{n;p;q}' \$D/client.log | cut -d' ' -f6)
	case "\$b" in [89a-f]?) echo "K[0]=0x\$b after \$try tries" >&2; exit 0;; esac
done
echo "no K with a high first byte in 16 tries" >&2
exit 1
INNER
chmod 0755 "$ROOTFS/tmp/pqssh-mc-vector.sh"
unshare --mount --pid --net --uts --fork sh -c '
	set -e
	mount --make-rprivate /
	mount -t proc proc "$1/proc"
	mount --rbind /dev "$1/dev"
	ip link set lo up
	exec chroot "$1" /tmp/pqssh-mc-vector.sh
' sh "$ROOTFS"
rm -f "$ROOTFS/tmp/pqssh-mc-vector.sh"
python3 "$HERE/parse-debug-dump.py" "$KEX" < "$ROOTFS/tmp/pqssh-mc-vector/client.log" | gzip -9n > "$OUT"
rm -rf "$ROOTFS/tmp/pqssh-mc-vector"
echo "wrote $OUT" >&2
