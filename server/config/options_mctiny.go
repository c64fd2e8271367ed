package config

// McTinySettings are the options of pqsshd's McTiny service
// (draft-pqssh-mctiny-ssh-00): a stateless UDP pre-handshake that hands the
// server a client's one-time Classic McEliece key, consumed by the key
// exchange mctiny6688128x25519-sha512.
type McTinySettings struct {
	// Enabled is McTiny yes|no (default no).
	Enabled bool
	// StateDirectory holds the long-term McEliece key pair and the cookie
	// keys; "" (the default, shown as "auto" by -T) means the directory
	// pqsshd_mctiny beside the first host key.
	StateDirectory string
	// Port is the UDP port; 0 (the default) means the same number as each
	// listening SSH port.
	Port int
	// PuzzleRate is McTinyPuzzleRate: the phase-0 queries per second above
	// which strangers get a client puzzle first; 0 means the default
	// (DefaultMcTinyPuzzleRate), -1 "none" (never).
	PuzzleRate int
	// PuzzleMinBits and PuzzleMaxBits are McTinyPuzzleBits min:max, the
	// bounds of the puzzle difficulty; 0 means the defaults.
	PuzzleMinBits, PuzzleMaxBits int
	// CookieSecretFile is McTinyCookieSecretFile: a file holding the
	// master secret(s) from which the cookie keys are derived, shared by
	// the replicas of a fleet; "" (the default, "none") means cookie keys
	// of this server's own, in the state directory.
	CookieSecretFile string
}

// Defaults of the McTiny puzzle options (the values of package mctiny).
const (
	DefaultMcTinyPuzzleRate    = 200
	DefaultMcTinyPuzzleMinBits = 12
	DefaultMcTinyPuzzleMaxBits = 24
)

// EffectivePuzzleRate is the puzzle threshold in phase-0 queries per
// second, 0 for never.
func (m McTinySettings) EffectivePuzzleRate() int {
	switch {
	case m.PuzzleRate < 0:
		return 0
	case m.PuzzleRate == 0:
		return DefaultMcTinyPuzzleRate
	}
	return m.PuzzleRate
}

// EffectivePuzzleBits returns the puzzle difficulty bounds.
func (m McTinySettings) EffectivePuzzleBits() (lo, hi int) {
	lo, hi = m.PuzzleMinBits, m.PuzzleMaxBits
	if lo == 0 {
		lo, hi = DefaultMcTinyPuzzleMinBits, DefaultMcTinyPuzzleMaxBits
	}
	return lo, hi
}
