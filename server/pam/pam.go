// Package pam runs Linux-PAM transactions (pam_start(3) and the calls
// after it) for pqsshd's UsePAM: authentication through a conversation,
// account management, credentials and sessions, and the environment the
// modules set. It needs cgo and libpam (Debian's libpam0g-dev to build,
// libpam0g to run); a build without cgo has Available false and every
// Start fails with ErrUnavailable.
//
// The conversation is bounded as Linux-PAM bounds it: at most MaxMessages
// messages per call, messages cut at MaxMessageSize bytes, and answers of
// at most MaxResponseSize bytes (a longer answer fails the conversation,
// as does one holding a NUL byte, which the modules' C strings would cut:
// sshd's packet parser refuses such strings).
package pam

import "errors"

// Bounds of one conversation call (Linux-PAM's PAM_MAX_NUM_MSG,
// PAM_MAX_MSG_SIZE and PAM_MAX_RESP_SIZE).
const (
	MaxMessages     = 32
	MaxMessageSize  = 512
	MaxResponseSize = 512
)

// ErrUnavailable is the error of Start in a build without PAM.
var ErrUnavailable = errors.New("pam: this build has no PAM (built without cgo)")

// Style is a PAM message style.
type Style int

// The message styles of pam_conv(3).
const (
	PromptEchoOff Style = 1 // a secret: the answer is not shown
	PromptEchoOn  Style = 2
	ErrorMsg      Style = 3
	TextInfo      Style = 4
)

// Prompt reports whether a message of this style wants an answer.
func (s Style) Prompt() bool { return s == PromptEchoOff || s == PromptEchoOn }

// Message is one message of a conversation call.
type Message struct {
	Style Style
	Text  string
}

// Conversation answers one call of the modules: one answer per message,
// in order (answers to ErrorMsg and TextInfo are ignored and may be nil).
// The answers are copied for the modules and then zeroed.
type Conversation func(msgs []Message) ([][]byte, error)

// Item names a PAM item for SetItem.
type Item int

// Items pqsshd sets (pam_set_item(3)).
const (
	RHost Item = 4 // PAM_RHOST
	TTY   Item = 3 // PAM_TTY
	RUser Item = 8 // PAM_RUSER
)

// Error is a failed PAM call: the function and the PAM return code with
// its text (pam_strerror(3)).
type Error struct {
	Func string
	Code int
	Text string
}

func (e *Error) Error() string { return "pam: " + e.Func + ": " + e.Text }

// Result codes callers distinguish.
const (
	CodeSuccess        = 0
	CodeAuthErr        = 7  // PAM_AUTH_ERR
	CodeUserUnknown    = 10 // PAM_USER_UNKNOWN
	CodeMaxTries       = 11 // PAM_MAXTRIES
	CodeNewAuthTokReqd = 12 // PAM_NEW_AUTHTOK_REQD: the password has expired
	CodeAcctExpired    = 13 // PAM_ACCT_EXPIRED
	CodePermDenied     = 6  // PAM_PERM_DENIED
)

// Code returns the PAM return code of err (CodeSuccess for nil, -1 for an
// error that is not a PAM result).
func Code(err error) int {
	if err == nil {
		return CodeSuccess
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}
