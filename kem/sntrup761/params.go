package sntrup761

// Parameters of sntrup761 (NTRU Prime round 3 specification, section 3 and
// the parameter set table).
const (
	p   = 761  // degree of x^p - x - 1
	q   = 4591 // modulus of R/q
	w   = 286  // weight of the short polynomials
	q12 = (q - 1) / 2

	smallBytes   = (p + 3) / 4 // 191: four coefficients of {-1,0,1} a byte
	rqBytes      = 1158        // Encode of p integers modulo q
	roundedBytes = 1007        // Encode of p integers modulo (q+2)/3
	hashBytes    = 32

	// PublicKeySize is the size of an encoded public key.
	PublicKeySize = rqBytes
	// PrivateKeySize is the size of an encoded private key:
	// f, 1/g, public key, rho, hash of the public key.
	PrivateKeySize = 2*smallBytes + PublicKeySize + smallBytes + hashBytes
	// CiphertextSize is the size of a ciphertext: the rounded product and
	// the 32-byte confirmation hash.
	CiphertextSize = roundedBytes + hashBytes
	// SharedKeySize is the size of the shared secret.
	SharedKeySize = 32
	// SeedSize is the size of the seed DeriveKeyPair takes.
	SeedSize = 32
	// EncapsulationSeedSize is the size of the seed
	// EncapsulateDeterministically takes.
	EncapsulationSeedSize = 32
)

// Offsets of the fields of an encoded private key.
const (
	skF     = 0
	skGinv  = skF + smallBytes
	skPK    = skGinv + smallBytes
	skRho   = skPK + PublicKeySize
	skCache = skRho + smallBytes
)
