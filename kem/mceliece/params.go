package mceliece

// Parameters of mceliece6688128 (round-4 specification, section 7).
const (
	// M is the extension degree: the field is GF(2^13).
	M = 13
	// N is the code length.
	N = 6688
	// T is the number of errors the code corrects (the weight of e).
	T = 128
	// K is the code dimension, N - M*T.
	K = N - Rows
	// Rows is the number of rows of the public matrix T (and of H): M*T.
	Rows = M * T
	// RowBytes is the length in bytes of one row of T: K/8.
	RowBytes = K / 8

	// PublicKeySize is the size of the encoded public key T (Rows*RowBytes).
	PublicKeySize = Rows * RowBytes
	// PrivateKeySize is the size of the encoded private key
	// δ (32) ‖ c (8) ‖ g (2T) ‖ α as control bits ((2M-1)·2^(M-4)) ‖ s (N/8).
	PrivateKeySize = 32 + 8 + irrBytes + condBytes + N/8
	// CiphertextSize is the size of a ciphertext C = He (Rows/8 bytes).
	CiphertextSize = Rows / 8
	// SharedKeySize is the size of the session key.
	SharedKeySize = 32
	// SeedSize is the size of the key-generation seed δ.
	SeedSize = 32

	q         = 1 << M
	gfMask    = q - 1
	irrBytes  = 2 * T
	condBytes = (2*M - 1) * (q / 16)
	eBytes    = N / 8

	// words per matrix row of H (N bits).
	rowWords = (N + 63) / 64
	// rowStride is the allocated row length of the key-generation matrix,
	// padded to a multiple of 16 words for the vectorised row operations.
	rowStride = 112
	// μ and ν of the "f" (semi-systematic) key generation.
	mu = 32
	nu = 64
)
