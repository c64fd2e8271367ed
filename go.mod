module github.com/pqssh/pqssh

go 1.26.0

// The x/crypto fork: upstream v0.58.0 plus the patches in third_party/x-crypto/patches,
// materialized by `make fork` (third_party/x-crypto/materialize.sh). If the build says
// "replacement directory ./third_party/x-crypto/patched does not exist", run `make fork`.
replace golang.org/x/crypto => ./third_party/x-crypto/patched

require (
	github.com/cloudflare/circl v1.6.5
	github.com/creack/pty v1.1.24
	github.com/gliderlabs/ssh v0.3.8
	github.com/pkg/sftp v1.13.12
	golang.org/x/crypto v0.58.0
	golang.org/x/sys v0.49.0
)

require (
	github.com/anmitsu/go-shlex v0.0.0-20200514113438-38f4b401e2be // indirect
	github.com/kr/fs v0.1.0 // indirect
	golang.org/x/term v0.47.0
)
