//go:build !cgo || !linux

package pam

// Available reports whether this build has PAM.
const Available = false

// Transaction is a PAM transaction; a build without PAM never has one.
type Transaction struct{}

// Start fails with ErrUnavailable: this build has no PAM.
func Start(service, user string, conv Conversation) (*Transaction, error) {
	return nil, ErrUnavailable
}

// SetConversation does nothing in a build without PAM.
func (t *Transaction) SetConversation(Conversation) {}

// SetItem fails with ErrUnavailable.
func (t *Transaction) SetItem(Item, string) error { return ErrUnavailable }

// User returns "".
func (t *Transaction) User() string { return "" }

// Authenticate fails with ErrUnavailable.
func (t *Transaction) Authenticate(bool) error { return ErrUnavailable }

// AcctMgmt fails with ErrUnavailable.
func (t *Transaction) AcctMgmt(bool) error { return ErrUnavailable }

// ChAuthTok fails with ErrUnavailable.
func (t *Transaction) ChAuthTok() error { return ErrUnavailable }

// SetCred fails with ErrUnavailable.
func (t *Transaction) SetCred(bool) error { return ErrUnavailable }

// OpenSession fails with ErrUnavailable.
func (t *Transaction) OpenSession() error { return ErrUnavailable }

// CloseSession fails with ErrUnavailable.
func (t *Transaction) CloseSession() error { return ErrUnavailable }

// Env returns nil.
func (t *Transaction) Env() []string { return nil }

// End does nothing.
func (t *Transaction) End() error { return nil }
