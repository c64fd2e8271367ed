package kex

import (
	"crypto"
	_ "crypto/sha256" // SHA-256 for mlkem768x25519-sha256
	_ "crypto/sha512" // SHA-512 for the sntrup761 and McEliece methods

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
)

// Method names.
const (
	// MLKEM768X25519SHA256 is draft-ietf-sshm-mlkem-hybrid-kex-03.
	MLKEM768X25519SHA256 = "mlkem768x25519-sha256"
)

// A method in the table: one generic Hybrid under one or more names.
type entry struct {
	names []string
	h     Hybrid
}

// methods is the table of pqssh's hybrid methods, in no particular order
// (preference order is DefaultKeyExchanges). An alias shares its entry.
var methods = []entry{
	{
		names: []string{MLKEM768X25519SHA256},
		h: Hybrid{
			// ML-KEM-768 (FIPS 203). circl's public-key unpacking performs
			// the FIPS 203 section 7.2 encapsulation-key modulus check that
			// the draft requires of the server.
			KEMs:   []kem.Scheme{mlkem768.Scheme()},
			Digest: crypto.SHA256,
			Spec:   "draft-ietf-sshm-mlkem-hybrid-kex-03",
		},
	},
}
