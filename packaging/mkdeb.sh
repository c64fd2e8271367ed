#!/bin/bash
# mkdeb.sh OUTDIR: build the Debian package pqssh_VERSION_ARCH.deb in OUTDIR
# with dpkg-deb (no debhelper): pqssh and pqssh-keygen static
# (CGO_ENABLED=0), pqsshd built with cgo for PAM and wtmpdb (linked against
# libc and libpam; the Depends of its shared libraries come from
# dpkg-shlibdeps), manual pages (checked with mandoc -Tlint, gzipped), bash
# and zsh completion, pqsshd.service, the configuration and PAM service
# /etc/pam.d/pqsshd, the maintainer scripts, and a copyright file made of
# the licences of every module compiled in. Run from the repository's root
# (make deb) on the architecture the package is for; GO names the go
# command. Prints the package's path.
set -euo pipefail

out=${1:?usage: mkdeb.sh OUTDIR}
GO=${GO:-go}
pkg=packaging
arch=$(dpkg --print-architecture)
case $arch in
amd64 | arm64 | riscv64 | ppc64le | s390x) goarch=$arch ;;
i386) goarch=386 ;;
armhf) goarch=arm ;;
*) echo "mkdeb.sh: no Go architecture for $arch" >&2; exit 1 ;;
esac

# The version: the base version and the commit, e.g. 0.1+git20261204.ee06926.
base=0.1
commit=$(git rev-parse --short=7 HEAD)
when=$(git log -1 --format=%cd --date=format:%Y%m%d HEAD)
version=${DEB_VERSION:-$base+git$when.$commit}
date=$(git log -1 --format=%cd --date=rfc2822 HEAD)

for page in "$pkg"/man/*.[1-8]; do
	if ! lint=$(mandoc -Tlint -Wwarning "$page" 2>&1) || [ -n "$lint" ]; then
		echo "mkdeb.sh: mandoc -Tlint $page:" >&2
		echo "$lint" >&2
		exit 1
	fi
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
doc=$root/usr/share/doc/pqssh

install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/sbin"
CGO_ENABLED=0 GOOS=linux GOARCH=$goarch "$GO" build -trimpath -buildvcs=false \
	-ldflags='-s -w' -o "$stage/bin/" ./cmd/pqssh ./cmd/pqssh-keygen
# pqsshd with cgo: server/pam links libpam, server/wtmpdb dlopens
# libwtmpdb.so.0. A position-independent executable with Debian's
# hardening flags for the C parts (lintian's hardening checks).
CGO_ENABLED=1 GOOS=linux GOARCH=$goarch \
	CGO_CFLAGS="${CGO_CFLAGS:--O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2}" \
	CGO_LDFLAGS="${CGO_LDFLAGS:--Wl,-z,relro -Wl,-z,now}" \
	"$GO" build -trimpath -buildvcs=false -buildmode=pie \
	-ldflags='-s -w -linkmode=external' -o "$stage/bin/" ./cmd/pqsshd
if ! "$GO" version -m "$stage/bin/pqsshd" | grep -q 'CGO_ENABLED=1'; then
	echo "mkdeb.sh: pqsshd was built without cgo (need gcc and libpam0g-dev)" >&2
	exit 1
fi
install -m 0755 "$stage/bin/pqssh" "$stage/bin/pqssh-keygen" "$root/usr/bin/"
install -m 0755 "$stage/bin/pqsshd" "$root/usr/sbin/"

for page in "$pkg"/man/*.[1-8]; do
	sec=${page##*.}
	install -d "$root/usr/share/man/man$sec"
	gzip -9n <"$page" >"$root/usr/share/man/man$sec/$(basename "$page").gz"
done
chmod 0644 "$root"/usr/share/man/man*/*

install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions"
install -m 0644 "$pkg/completion/bash/pqssh" "$root/usr/share/bash-completion/completions/pqssh"
ln -s pqssh "$root/usr/share/bash-completion/completions/pqsshd"
ln -s pqssh "$root/usr/share/bash-completion/completions/pqssh-keygen"
install -m 0644 "$pkg/completion/zsh/_pqssh" "$root/usr/share/zsh/vendor-completions/_pqssh"

install -d "$root/usr/lib/systemd/system" "$root/etc/pqssh/pqsshd_config.d"
install -m 0644 "$pkg/debian/pqsshd.service" "$root/usr/lib/systemd/system/pqsshd.service"
install -m 0644 "$pkg/debian/pqsshd_config" "$root/etc/pqssh/pqsshd_config"
install -d "$root/etc/pam.d"
install -m 0644 "$pkg/debian/pam" "$root/etc/pam.d/pqsshd"

install -d "$doc/examples" "$root/usr/share/lintian/overrides"
install -m 0644 README.md SECURITY.md docs/ssh-options.md docs/sshd-options.md docs/auth.md docs/kex.md "$doc/"
install -m 0644 contrib/systemd/pqsshd_config.example "$doc/examples/pqsshd_config"
sed -e "s/@VERSION@/$version/" -e "s/@COMMIT@/$commit/" -e "s/@DATE@/$date/" "$pkg/debian/changelog.in" |
	gzip -9n >"$doc/changelog.gz"
install -m 0644 "$pkg/debian/lintian-overrides" "$root/usr/share/lintian/overrides/pqssh"

# copyright: pqssh's notice, then the licence of every module linked in.
{
	cat <<-'HEAD'
	pqssh: OpenSSH-compatible SSH client and server with post-quantum key exchange.
	Source: https://github.com/pqssh/pqssh

	Copyright: the pqssh authors.

	pqssh and pqssh-keygen are statically linked; pqsshd links the C
	library and libpam dynamically. The programs contain the Go standard
	library and the modules below, each under the licence that follows
	its name.
	HEAD
	{
		CGO_ENABLED=0 "$GO" list -deps -f '{{with .Module}}{{.Path}} {{.Dir}}{{end}}' ./cmd/pqssh ./cmd/pqssh-keygen
		CGO_ENABLED=1 "$GO" list -deps -f '{{with .Module}}{{.Path}} {{.Dir}}{{end}}' ./cmd/pqsshd
	} | sort -u | while read -r mod dir; do
		[ "$mod" = github.com/pqssh/pqssh ] && continue
		lic=
		for f in "$dir"/LICENSE* "$dir"/COPYING*; do
			[ -f "$f" ] && { lic=$f; break; }
		done
		[ -n "$lic" ] || { echo "mkdeb.sh: no licence file in $dir ($mod)" >&2; exit 1; }
		printf '\n%s\n\n' "$mod"
		sed 's/^/    /; s/^ *$//' "$lic"
	done
	printf '\n%s\n\n' "The Go standard library"
	sed 's/^/    /; s/^ *$//' "$("$GO" env GOROOT)/LICENSE"
} >"$doc/copyright"
find "$doc" -type f -exec chmod 0644 {} +

for s in postinst prerm postrm; do
	install -m 0755 "$pkg/debian/$s" "$root/DEBIAN/$s"
done
printf '%s\n' /etc/pqssh/pqsshd_config /etc/pam.d/pqsshd >"$root/DEBIAN/conffiles"

# The shared libraries pqsshd links (libc6, libpam0g) with the versions
# its symbols need, as dpkg-shlibdeps finds them from the binary's NEEDED
# entries and the system's shlibs/symbols files; it wants a debian/control
# naming the package, which a scratch tree provides.
shl=$stage/shlibdeps
install -d "$shl/debian"
printf 'Source: pqssh\n\nPackage: pqssh\nArchitecture: any\n' >"$shl/debian/control"
depends=$(cd "$shl" && dpkg-shlibdeps -O "$root/usr/sbin/pqsshd" 2>"$stage/shlibdeps.log") || {
	cat "$stage/shlibdeps.log" >&2
	exit 1
}
depends=${depends#shlibs:Depends=}
case $depends in
*libc6* ) ;;
*) echo "mkdeb.sh: dpkg-shlibdeps found no libc6 dependency: $depends" >&2; exit 1 ;;
esac

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
	"$pkg/debian/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's#  \./#  #') >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/pqssh_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
