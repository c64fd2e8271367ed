package kex

import (
	"crypto"
	_ "crypto/sha256" // SHA-256 for the ML-KEM-768 methods
	_ "crypto/sha512" // SHA-384 and SHA-512 for the other methods

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem1024"
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

	// MLKEM768NISTP256SHA256 and MLKEM1024NISTP384SHA384 are
	// draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.3.1 and 2.3.2
	// (published as RFC 10042): ML-KEM with ECDH on NIST P-256 or P-384.
	MLKEM768NISTP256SHA256  = "mlkem768nistp256-sha256"
	MLKEM1024NISTP384SHA384 = "mlkem1024nistp384-sha384"

	// CURVE448SHA512 is RFC 8731's classical X448 key exchange. It is not
	// post-quantum and never in the default order; it exists for peers
	// that offer nothing better (docs/kex.md).
	CURVE448SHA512 = "curve448-sha512"
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
			KEMs:      []kem.Scheme{mlkem768.Scheme()},
			Classical: X25519,
			Digest:    crypto.SHA256,
			Spec:      "draft-ietf-sshm-mlkem-hybrid-kex-03",
		},
	},
	{
		names: []string{SNTRUP761X25519SHA512, SNTRUP761X25519SHA512OpenSSH},
		h: Hybrid{
			KEMs:      []kem.Scheme{sntrup761.Scheme()},
			Classical: X25519,
			Digest:    crypto.SHA512,
			Spec:      "RFC 9941",
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
			KEMs:      []kem.Scheme{mceliece.Scheme()},
			Classical: X25519,
			Digest:    crypto.SHA512,
			Spec:      "draft-josefsson-ssh-mceliece-00",
		},
	},
	{
		// C_INIT = mceliece pk || sntrup761 pk || X25519 pk,
		// S_REPLY = mceliece ct || sntrup761 ct || X25519 pk,
		// K = SHA-512(K_mceliece || K_sntrup761 || K_X25519).
		names: []string{MCELIECE6688128SNTRUP761X25519SHA512},
		h: Hybrid{
			KEMs:      []kem.Scheme{mceliece.Scheme(), sntrup761.Scheme()},
			Classical: X25519,
			Digest:    crypto.SHA512,
			Spec:      "draft-pqssh-mceliece-sntrup761-x25519-00",
		},
	},
	{
		// draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.3.1:
		// C_INIT = ML-KEM-768 encapsulation key (1184 bytes) || client
		// P-256 point (65 bytes, 0x04 || X || Y), S_REPLY = ML-KEM-768
		// ciphertext (1088 bytes) || server P-256 point; K_CL is the
		// 32-byte big-endian X-coordinate of the shared point (section
		// 2.4), K = SHA-256(K_PQ || K_CL) as a string (section 2.5).
		names: []string{MLKEM768NISTP256SHA256},
		h: Hybrid{
			KEMs:      []kem.Scheme{mlkem768.Scheme()},
			Classical: P256,
			Digest:    crypto.SHA256,
			Spec:      "draft-ietf-sshm-mlkem-hybrid-kex-10",
		},
	},
	{
		// draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.3.2: the same
		// with ML-KEM-1024 (encapsulation key and ciphertext 1568 bytes
		// each; circl checks the key's modulus as FIPS 203 section 7.2
		// requires), P-384 (97-byte points, 48-byte K_CL) and SHA-384.
		names: []string{MLKEM1024NISTP384SHA384},
		h: Hybrid{
			KEMs:      []kem.Scheme{mlkem1024.Scheme()},
			Classical: P384,
			Digest:    crypto.SHA384,
			Spec:      "draft-ietf-sshm-mlkem-hybrid-kex-10",
		},
	},
	{
		// RFC 8731 section 3: X448 public keys of 56 bytes as Q_C and Q_S
		// (RFC 5656 section 4's messages), K = the 56-byte X448 output
		// read as a big-endian unsigned integer, encoded as an mpint; the
		// all-zero output is rejected. SHA-512 is the exchange hash.
		names: []string{CURVE448SHA512},
		h: Hybrid{
			Classical: X448,
			Digest:    crypto.SHA512,
			Spec:      "RFC 8731",
		},
	},
}
