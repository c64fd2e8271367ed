package mctiny

// The parameters of mctiny6688128 (draft-pqssh-mctiny-ssh-00, section
// "Parameters"). Every size below is derived here, in one place, from the
// Classic McEliece parameters and the three McTiny choices x, y and v, with
// the formulas of the McTiny reference software's parameter generator.
const (
	// Name is the parameter-set name.
	Name = "mctiny6688128"

	// Classic McEliece mceliece6688128 (round 4): code length n, error
	// weight t, field degree m.
	mceN = 6688
	mceT = 128
	mceM = 13

	// Rows is the number of rows of the public key, m*t; Cols the number of
	// columns of its non-identity part T, n - m*t.
	Rows = mceM * mceT
	Cols = mceN - Rows

	// RowBytes is the length of one row of T in the public key encoding.
	RowBytes = Cols / 8

	// PublicKeySize, CiphertextSize and SessionKeySize are the Classic
	// McEliece sizes (the ciphertext is the syndrome He, m*t bits).
	PublicKeySize  = Rows * RowBytes
	CiphertextSize = Rows / 8
	SessionKeySize = 32
	// ErrorBytes is the length of the error vector e, n bits.
	ErrorBytes = (mceN + 7) / 8

	// X is the number of columns of T per block, Y the number of rows per
	// block, V the number of row blocks per phase-2 piece.
	X = 632
	Y = 14
	V = 7

	// ColBlocks (l) and RowBlocks (r) partition T into r*l blocks K_ij.
	ColBlocks = (Cols + X - 1) / X
	RowBlocks = (Rows + Y - 1) / Y
	// BlockRowBytes is the length of one row of a block; BlockBytes of a
	// whole block (rows beyond Rows and columns beyond Cols are zero).
	BlockRowBytes = (X + 7) / 8
	BlockBytes    = BlockRowBytes * Y
	// Pieces is the number of phase-2 pieces of V row blocks; PieceBits
	// and PieceBytes the length of one piece of the syndrome.
	Pieces     = (Rows + V*Y - 1) / (V * Y)
	PieceBits  = V * Y
	PieceBytes = (PieceBits + 7) / 8

	// Symmetric primitives: XSalsa20-Poly1305 boxes (tag ‖ ciphertext),
	// 24-byte nonces, 32-byte keys and hashes.
	TagSize   = 16
	NonceSize = 24
	KeySize   = 32
	HashSize  = 32
	// NoncePrefixSize is the random part of a nonce; the last two bytes
	// encode direction and position.
	NoncePrefixSize = NonceSize - 2
	// ExtensionSize is the zero-filled extension field of phase 0.
	ExtensionSize = 512
	// SeedSize is the length of the seed E from which the server derives
	// the error vector e.
	SeedSize = 32

	// Cookie sizes: C0 = box(S ‖ E) ‖ id, C_ij = box(c_ij) ‖ id,
	// C_Z = box(Z) ‖ id.
	CijPlainSize = (Y + 7) / 8
	C0Size       = TagSize + SessionKeySize + SeedSize + 1
	CijSize      = TagSize + CijPlainSize + 1
	CZSize       = TagSize + SessionKeySize + 1

	// Packet sizes: a packet is tag ‖ encrypted part ‖ cleartext ‖ nonce,
	// so each carries TagSize+NonceSize = 40 bytes of framing.
	framing = TagSize + NonceSize
	Q0Size  = framing + ExtensionSize + HashSize + CiphertextSize
	R0Size  = framing + C0Size
	Q1Size  = framing + BlockBytes + C0Size
	R1Size  = framing + C0Size + CijSize
	Q2Size  = framing + V*ColBlocks*CijSize + C0Size
	R2Size  = framing + C0Size + PieceBytes
	Q3Size  = framing + CiphertextSize + C0Size
	R3Size  = framing + CZSize + CiphertextSize

	// MaxPacketSize is the largest UDP payload McTiny sends: the IPv6
	// minimum MTU of 1280 bytes minus 40 bytes of IPv6 and 8 of UDP header.
	MaxPacketSize = 1280 - 40 - 8

	// Queries is the number of queries (and replies) of one exchange.
	Queries = 1 + RowBlocks*ColBlocks + Pieces + 1

	// BytesToServer and BytesToClient are the UDP payload bytes of one
	// exchange without retransmissions.
	BytesToServer = Q0Size + RowBlocks*ColBlocks*Q1Size + Pieces*Q2Size + Q3Size
	BytesToClient = R0Size + RowBlocks*ColBlocks*R1Size + Pieces*R2Size + R3Size
)

// Nonce position bytes (n22, n23). The low bit of n22 is the direction:
// 0 client to server, 1 server to client.
const (
	n23Phase1 = 64 // + j-1
	n23Phase2 = 96
	n23Phase3 = 255
	n22Q3     = 254
	n22R3     = 255
)

// Compile-time checks of the constraints of the parameter generator: x a
// multiple of 8, at most 32 column blocks and 128 row blocks (so that the
// position fits n22 and n23), every packet within MaxPacketSize, the pieces
// covering the row blocks exactly, and the columns of T starting
// byte-aligned.
var (
	_ [0]struct{} = [X % 8]struct{}{}
	_ [0]struct{} = [Rows % 8]struct{}{}
	_ [0]struct{} = [RowBlocks % V]struct{}{}
	_ [0]struct{} = [Pieces*V - RowBlocks]struct{}{}
	_ [32 - ColBlocks]struct{}
	_ [128 - RowBlocks]struct{}
	_ [MaxPacketSize - Q0Size]struct{}
	_ [MaxPacketSize - Q1Size]struct{}
	_ [MaxPacketSize - Q2Size]struct{}
	_ [MaxPacketSize - Q3Size]struct{}
	_ [MaxPacketSize - R3Size]struct{}
	_ [16 - Y]struct{}
)
