module github.com/pqssh/pqssh

go 1.26.0

// The x/crypto fork: upstream v0.58.0 plus the patches in third_party/x-crypto/patches,
// materialized by `make fork` (third_party/x-crypto/materialize.sh). If the build says
// "replacement directory ./third_party/x-crypto/patched does not exist", run `make fork`.
replace golang.org/x/crypto => ./third_party/x-crypto/patched
