#!/bin/bash
# record.sh ROOTFS — records the ssh-mldsa44-ed25519 vectors in this
# directory against Debian forky's OpenSSH 10.6p1, run from ROOTFS (the
# harness's forky root filesystem, ~/.cache/pqssh-interop/forky-*, or an
# overlay of it; files are written under ROOTFS/tmp/pqssh-pqsig). Needs
# root (chroot).
#
#   openssh-10.6/   a key made by ssh-keygen 10.6 and its signature of
#                   message.txt (ssh-keygen -Y sign -n file), which pqssh
#                   must verify
#   pqssh/          a key made by pqssh-keygen and pqssh's signature of
#                   message.txt, which ssh-keygen 10.6 read and verified
#                   when this was recorded (verify.txt holds its output)
#   openssh-10.6/certs/  user certificates made by ssh-keygen -s 10.6: an
#                   ML-DSA CA certifying the ML-DSA key above
#                   (mldsa-by-mldsa) and an Ed25519 key (ed25519-by-mldsa),
#                   an Ed25519 CA certifying the ML-DSA key (mldsa-by-ed25519);
#                   principal "pqssh", serial 7, key id "vector"
set -eu
[ $# -eq 1 ] || { echo "usage: $0 ROOTFS" >&2; exit 2; }
R=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
W=/tmp/pqssh-pqsig
rm -rf "$R$W" && mkdir -p "$R$W"
cp "$HERE/message.txt" "$R$W/message.txt"
go build -o "$R$W/pqssh-keygen" "$HERE/../../cmd/pqssh-keygen"

# OpenSSH 10.6's key and signature.
chroot "$R" sh -c "cd $W && ssh-keygen -q -t mldsa44-ed25519 -N '' -C openssh-10.6 -f id_mldsa44_ed25519 && ssh-keygen -Y sign -q -f id_mldsa44_ed25519 -n file message.txt"
mkdir -p "$HERE/openssh-10.6"
cp "$R$W/id_mldsa44_ed25519" "$R$W/id_mldsa44_ed25519.pub" "$R$W/message.txt.sig" "$HERE/openssh-10.6/"

# Certificates made by OpenSSH 10.6.
chroot "$R" sh -c "cd $W && mkdir certs && cd certs &&
	ssh-keygen -q -t mldsa44-ed25519 -N '' -C mldsa-ca -f ca_mldsa &&
	ssh-keygen -q -t ed25519 -N '' -C ed25519-ca -f ca_ed25519 &&
	ssh-keygen -q -t ed25519 -N '' -C ed25519-user -f id_ed25519 &&
	cp ../id_mldsa44_ed25519.pub mldsa-by-mldsa.pub && cp ../id_mldsa44_ed25519.pub mldsa-by-ed25519.pub && cp id_ed25519.pub ed25519-by-mldsa.pub &&
	ssh-keygen -q -s ca_mldsa -I vector -n pqssh -z 7 mldsa-by-mldsa.pub &&
	ssh-keygen -q -s ca_ed25519 -I vector -n pqssh -z 7 mldsa-by-ed25519.pub &&
	ssh-keygen -q -s ca_mldsa -I vector -n pqssh -z 7 ed25519-by-mldsa.pub &&
	ssh-keygen -L -f mldsa-by-mldsa-cert.pub > mldsa-by-mldsa-cert.txt"
mkdir -p "$HERE/openssh-10.6/certs"
(cd "$R$W/certs" && cp ca_mldsa.pub ca_ed25519.pub mldsa-by-mldsa-cert.pub mldsa-by-ed25519-cert.pub ed25519-by-mldsa-cert.pub mldsa-by-mldsa-cert.txt "$HERE/openssh-10.6/certs/")

# pqssh's key and signature, checked by OpenSSH 10.6.
mkdir -p "$R$W/pqssh"
cp "$R$W/message.txt" "$R$W/pqssh/"
"$R$W/pqssh-keygen" -q -t mldsa44-ed25519 -C pqssh -f "$R$W/pqssh/id_mldsa44_ed25519"
"$R$W/pqssh-keygen" -Y sign -f "$R$W/pqssh/id_mldsa44_ed25519" -n file "$R$W/pqssh/message.txt"
chroot "$R" sh -c "cd $W/pqssh && {
	echo '\$ ssh -V'; ssh -V 2>&1
	echo '\$ ssh-keygen -y -f id_mldsa44_ed25519'; ssh-keygen -y -f id_mldsa44_ed25519
	echo '\$ ssh-keygen -l -f id_mldsa44_ed25519'; ssh-keygen -l -f id_mldsa44_ed25519
	echo \"pqssh \$(cut -d' ' -f1,2 id_mldsa44_ed25519.pub)\" > allowed_signers
	echo '\$ ssh-keygen -Y verify -f allowed_signers -I pqssh -n file -s message.txt.sig < message.txt'
	ssh-keygen -Y verify -f allowed_signers -I pqssh -n file -s message.txt.sig < message.txt 2>&1
}" > "$R$W/pqssh/verify.txt"
cat "$R$W/pqssh/verify.txt"
grep -q '^Good "file" signature for pqssh with MLDSA44-ED25519 key' "$R$W/pqssh/verify.txt"
mkdir -p "$HERE/pqssh"
cp "$R$W/pqssh/id_mldsa44_ed25519" "$R$W/pqssh/id_mldsa44_ed25519.pub" "$R$W/pqssh/message.txt.sig" "$R$W/pqssh/verify.txt" "$HERE/pqssh/"
rm -rf "$R$W"
