#!/bin/bash
# forky.sh ROOTFS [OUTDIR] — records the transcripts in testvectors/kex
# against Debian forky's OpenSSH 10.6p1 (sshd and ssh) and PuTTY 0.85
# (plink), run from ROOTFS: the harness's forky root filesystem
# (~/.cache/pqssh-interop/forky-*, peers.Forky) or any forky root with
# openssh-server, openssh-client and putty-tools. Needs root (chroot,
# unshare). Everything listens on 127.0.0.1 only.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 ROOTFS [OUTDIR]" >&2; exit 2; }
P=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "${2:-$HERE/../../kex}" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
go build -o "$W/record" "$HERE"
FP=$("$W/record" -hostkey)
V=/tmp/pqssh-vectors
mkdir -p "$P$V"
[ -s "$P$V/hostkey" ] || chroot "$P" ssh-keygen -q -t ed25519 -N '' -f $V/hostkey
cat > "$P$V/run-sshd.sh" <<'INNER'
#!/bin/sh
# run-sshd.sh PORT KEX
set -e
mount -t proc proc /proc 2>/dev/null || true
mkdir -p /run/sshd
cat > /tmp/pqssh-vectors/sshd_config.$1 <<CFG
ListenAddress 127.0.0.1:$1
HostKey /tmp/pqssh-vectors/hostkey
KexAlgorithms $2
LogLevel DEBUG1
PidFile none
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
CFG
exec /usr/sbin/sshd -D -e -f /tmp/pqssh-vectors/sshd_config.$1
INNER
chmod +x "$P$V/run-sshd.sh"
OSSH="$(chroot "$P" ssh -V 2>&1 | cut -d, -f1) (Debian forky openssh $(chroot "$P" dpkg-query -W -f '${Version}' openssh-server))"
PUTTY="PuTTY plink (Debian forky putty-tools $(chroot "$P" dpkg-query -W -f '${Version}' putty-tools))"

# Our client against OpenSSH's sshd.
rec_sshd() { # port kex file
	unshare --mount --pid --fork --propagation private chroot "$P" $V/run-sshd.sh "$1" "$2" > "$W/sshd.$1.log" 2>&1 &
	local sp=$!
	sleep 1
	"$W/record" -role client -addr "127.0.0.1:$1" -kex "$2" -seed "$2 vs OpenSSH 10.6p1 sshd" -peer "$OSSH sshd" -o "$3"
	kill $(pgrep -P $sp) 2>/dev/null || true
	wait $sp 2>/dev/null || true
	grep -m1 "kex: algorithm" "$W/sshd.$1.log"
}
# Our server against a peer client: the recorder retries with a new seed
# per connection until K's top bit is set.
rec_client() { # port kex file label description command...
	local port=$1 kx=$2 file=$3 label=$4 desc=$5
	shift 5
	"$W/record" -role server -listen "127.0.0.1:$port" -kex "$kx" -seed "$kx vs $label" -tries 16 -peer "$desc" -o "$file" &
	local rp=$!
	sleep 0.5
	for _ in $(seq 1 16); do
		kill -0 $rp 2>/dev/null || break
		timeout 20 chroot "$P" "$@" > "$W/client.log" 2>&1 || true
	done
	wait $rp
}

rec_sshd 42301 mlkem768nistp256-sha256 "$OUT/mlkem768nistp256-sha256.openssh-10.6p1.txt"
rec_sshd 42302 diffie-hellman-group18-sha512 "$OUT/diffie-hellman-group18-sha512.openssh-10.6p1.txt"
port=42310
for kx in mlkem768nistp256-sha256 mlkem1024nistp384-sha384 curve448-sha512 diffie-hellman-group18-sha512; do
	port=$((port + 1))
	rec_client $port $kx "$OUT/$kx.putty-0.85.txt" "PuTTY 0.85 plink" "$PUTTY" \
		plink -batch -ssh -v -P $port -l root -hostkey "$FP" -noagent 127.0.0.1 true
done
for kx in mlkem768nistp256-sha256 diffie-hellman-group18-sha512; do
	port=$((port + 1))
	rec_client $port $kx "$OUT/$kx.openssh-10.6p1-client.txt" "OpenSSH 10.6p1 ssh" "$OSSH ssh" \
		ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o KexAlgorithms=$kx -p $port -l root 127.0.0.1 true
done
