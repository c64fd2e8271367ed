// Package packaging holds what `make deb` installs besides the binaries:
// the manual pages (man/, mdoc checked with mandoc -Tlint), the bash and zsh
// completion (completion/), and the Debian package's files (debian/: the
// systemd unit, the configuration, the PAM service pam (installed as
// /etc/pam.d/pqsshd), the maintainer scripts). Its tests check
// these against the programs: every flag a program accepts is in its
// manual page, and the completion completes what it should.
package packaging
