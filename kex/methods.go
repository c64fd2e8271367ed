package kex

import (
	"crypto"
	_ "crypto/sha256" // SHA-256 for mlkem768x25519-sha256
	_ "crypto/sha512" // SHA-512 for the sntrup761 and McEliece methods

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"

	"github.com/pqssh/pqssh/kem/mceliece"
	"github.com/pqssh/pqssh/kem/sntrup761"
)

// Method names.
const (
	// MLKEM768X25519SHA256 is draft-ietf-sshm-mlkem-hybrid-kex-03 (the
	// wire format we follow and test against OpenSSH 9.9; the draft was
	// later published as RFC 10042, see drafts/README.md).
	MLKEM768X25519SHA256 = "mlkem768x25519-sha256"

	// SNTRUP761X25519SHA512 is RFC 9941; SNTRUP761X25519SHA512OpenSSH is
	// the name OpenSSH 8.5+ used before the RFC, same method.
	SNTRUP761X25519SHA512        = "sntrup761x25519-sha512"
	SNTRUP761X25519SHA512OpenSSH = "sntrup761x25519-sha512@openssh.com"

	// MCELIECE6688128X25519SHA512 is draft-josefsson-ssh-mceliece-00 (the
	// SHA-512 combiner of OpenSSH pull request #455);
	// MCELIECE6688128X25519SHA512OpenSSH is PR #455's name for it.
	MCELIECE6688128X25519SHA512        = "mceliece6688128x25519-sha512"
	MCELIECE6688128X25519SHA512OpenSSH = "mceliece6688128x25519-sha512@openssh.com"

	// MCELIECE6688128SNTRUP761X25519SHA512 is pqssh's three-way hybrid,
	// specified in drafts/draft-pqssh-mceliece-sntrup761-x25519.md.
	MCELIECE6688128SNTRUP761X25519SHA512 = "mceliece6688128sntrup761x25519-sha512@pqssh.org"
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
	{
		names: []string{SNTRUP761X25519SHA512, SNTRUP761X25519SHA512OpenSSH},
		h: Hybrid{
			KEMs:   []kem.Scheme{sntrup761.Scheme()},
			Digest: crypto.SHA512,
			Spec:   "RFC 9941",
		},
	},
	{
		// draft-josefsson-ssh-mceliece-00 section 2: "the sntrup761
		// document with sntrup761 replaced by mceliece6688128". Revisions
		// -01 and -02 of that draft replace the SHA-512 combiner by
		// Chempat under the same name; that is not this method and does
		// not interoperate with it. Keys come from the "f" key generation
		// (same public-key format), as PR #455 does.
		names: []string{MCELIECE6688128X25519SHA512, MCELIECE6688128X25519SHA512OpenSSH},
		h: Hybrid{
			KEMs:   []kem.Scheme{mceliece.Scheme()},
			Digest: crypto.SHA512,
			Spec:   "draft-josefsson-ssh-mceliece-00",
		},
	},
	{
		// C_INIT = mceliece pk || sntrup761 pk || X25519 pk,
		// S_REPLY = mceliece ct || sntrup761 ct || X25519 pk,
		// K = SHA-512(K_mceliece || K_sntrup761 || K_X25519).
		names: []string{MCELIECE6688128SNTRUP761X25519SHA512},
		h: Hybrid{
			KEMs:   []kem.Scheme{mceliece.Scheme(), sntrup761.Scheme()},
			Digest: crypto.SHA512,
			Spec:   "draft-pqssh-mceliece-sntrup761-x25519-00",
		},
	},
}
