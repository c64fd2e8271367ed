//go:build cgo && linux

package pam

/*
#cgo LDFLAGS: -lpam
#include <security/pam_appl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern int pqsshdPAMConv(int n, struct pam_message **msg, struct pam_response **resp, uintptr_t h);

static int conv_tramp(int n, const struct pam_message **msg, struct pam_response **resp, void *appdata) {
	return pqsshdPAMConv(n, (struct pam_message **)msg, resp, (uintptr_t)appdata);
}

static int pqsshd_pam_start(const char *service, const char *user, uintptr_t h, pam_handle_t **ph) {
	struct pam_conv c = { conv_tramp, (void *)h };
	return pam_start(service, user, &c, ph);
}

static const char *pqsshd_pam_msg(struct pam_message **msg, int i, int *style) {
	*style = msg[i]->msg_style;
	return msg[i]->msg;
}

static int pqsshd_pam_set_item(pam_handle_t *ph, int item, const char *v) {
	return pam_set_item(ph, item, v);
}

static const char *pqsshd_pam_get_user(pam_handle_t *ph) {
	const void *p = NULL;
	if (pam_get_item(ph, PAM_USER, &p) != PAM_SUCCESS)
		return NULL;
	return p;
}

static void pqsshd_free_env(char **env) {
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}

static void pqsshd_free_resp(struct pam_response *r, int n) {
	for (int i = 0; i < n; i++) {
		if (r[i].resp) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}
*/
import "C"

import (
	"bytes"
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Available reports whether this build has PAM.
const Available = true

// Transaction is one PAM transaction (pam_start(3) to pam_end(3)). Its
// methods must not be called concurrently.
type Transaction struct {
	mu     sync.Mutex // guards conv
	conv   Conversation
	handle cgo.Handle
	ph     *C.pam_handle_t
	last   C.int
}

// Start begins a transaction for user with service (the file under
// /etc/pam.d), answering the modules with conv.
func Start(service, user string, conv Conversation) (*Transaction, error) {
	t := &Transaction{conv: conv}
	t.handle = cgo.NewHandle(t)
	cs, cu := C.CString(service), C.CString(user)
	defer C.free(unsafe.Pointer(cs))
	defer C.free(unsafe.Pointer(cu))
	r := C.pqsshd_pam_start(cs, cu, C.uintptr_t(t.handle), &t.ph)
	if r != C.PAM_SUCCESS {
		t.handle.Delete()
		return nil, &Error{Func: "pam_start", Code: int(r), Text: "pam_start failed"}
	}
	return t, nil
}

// SetConversation replaces the conversation for the calls that follow.
func (t *Transaction) SetConversation(conv Conversation) {
	t.mu.Lock()
	t.conv = conv
	t.mu.Unlock()
}

func (t *Transaction) result(fn string, r C.int) error {
	t.last = r
	if r == C.PAM_SUCCESS {
		return nil
	}
	return &Error{Func: fn, Code: int(r), Text: C.GoString(C.pam_strerror(t.ph, r))}
}

// SetItem sets a PAM item (PAM_RHOST, PAM_TTY, PAM_RUSER).
func (t *Transaction) SetItem(item Item, value string) error {
	cv := C.CString(value)
	defer C.free(unsafe.Pointer(cv))
	return t.result("pam_set_item", C.pqsshd_pam_set_item(t.ph, C.int(item), cv))
}

// User returns PAM_USER, which modules may have changed.
func (t *Transaction) User() string {
	p := C.pqsshd_pam_get_user(t.ph)
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// Authenticate runs the auth stack (pam_authenticate(3)); disallowNull
// is PAM_DISALLOW_NULL_AUTHTOK.
func (t *Transaction) Authenticate(disallowNull bool) error {
	var flags C.int
	if disallowNull {
		flags |= C.PAM_DISALLOW_NULL_AUTHTOK
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return t.result("pam_authenticate", C.pam_authenticate(t.ph, flags))
}

// AcctMgmt runs the account stack (pam_acct_mgmt(3)).
func (t *Transaction) AcctMgmt(disallowNull bool) error {
	var flags C.int
	if disallowNull {
		flags |= C.PAM_DISALLOW_NULL_AUTHTOK
	}
	return t.result("pam_acct_mgmt", C.pam_acct_mgmt(t.ph, flags))
}

// ChAuthTok runs the password stack to change an expired password
// (pam_chauthtok(3) with PAM_CHANGE_EXPIRED_AUTHTOK), asking through the
// conversation.
func (t *Transaction) ChAuthTok() error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return t.result("pam_chauthtok", C.pam_chauthtok(t.ph, C.PAM_CHANGE_EXPIRED_AUTHTOK))
}

// SetCred establishes (or, with establish false, deletes) the user's
// credentials (pam_setcred(3)).
func (t *Transaction) SetCred(establish bool) error {
	flags := C.int(C.PAM_DELETE_CRED)
	if establish {
		flags = C.PAM_ESTABLISH_CRED
	}
	return t.result("pam_setcred", C.pam_setcred(t.ph, flags))
}

// OpenSession runs the session stack's open (pam_open_session(3)). The
// modules act on the calling process (pam_limits sets its resource
// limits, pam_systemd moves it into the user's session): call it in the
// process that is to carry the session.
func (t *Transaction) OpenSession() error {
	return t.result("pam_open_session", C.pam_open_session(t.ph, 0))
}

// CloseSession runs the session stack's close.
func (t *Transaction) CloseSession() error {
	return t.result("pam_close_session", C.pam_close_session(t.ph, 0))
}

// Env returns the PAM environment (pam_getenvlist(3)) as NAME=value.
func (t *Transaction) Env() []string {
	env := C.pam_getenvlist(t.ph)
	if env == nil {
		return nil
	}
	defer C.pqsshd_free_env(env)
	var out []string
	for p := env; *p != nil; p = (**C.char)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(*p))) {
		out = append(out, C.GoString(*p))
	}
	return out
}

// End ends the transaction (pam_end(3)) with the status of the last call.
func (t *Transaction) End() error {
	r := C.pam_end(t.ph, t.last)
	t.handle.Delete()
	if r != C.PAM_SUCCESS {
		return &Error{Func: "pam_end", Code: int(r), Text: "pam_end failed"}
	}
	return nil
}

//export pqsshdPAMConv
func pqsshdPAMConv(n C.int, msg **C.struct_pam_message, resp **C.struct_pam_response, h C.uintptr_t) C.int {
	if n <= 0 || n > MaxMessages || msg == nil || resp == nil {
		return C.PAM_CONV_ERR
	}
	t, ok := cgo.Handle(h).Value().(*Transaction)
	if !ok {
		return C.PAM_CONV_ERR
	}
	t.mu.Lock()
	conv := t.conv
	t.mu.Unlock()
	if conv == nil {
		return C.PAM_CONV_ERR
	}
	msgs := make([]Message, int(n))
	for i := range msgs {
		var style C.int
		p := C.pqsshd_pam_msg(msg, C.int(i), &style)
		text := ""
		if p != nil {
			text = C.GoStringN(p, C.int(C.strnlen(p, MaxMessageSize)))
		}
		msgs[i] = Message{Style: Style(style), Text: text}
	}
	answers, err := conv(msgs)
	defer func() {
		for _, a := range answers {
			clear(a)
		}
	}()
	if err != nil || len(answers) > len(msgs) {
		return C.PAM_CONV_ERR
	}
	r := (*C.struct_pam_response)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.struct_pam_response{}))))
	if r == nil {
		return C.PAM_BUF_ERR
	}
	rs := unsafe.Slice(r, int(n))
	for i, m := range msgs {
		if !m.Style.Prompt() || i >= len(answers) {
			continue
		}
		a := answers[i]
		// A NUL would cut the C string the modules see: "secret\x00x"
		// would pass for "secret", "\x00" for an empty answer.
		if len(a) > MaxResponseSize || bytes.IndexByte(a, 0) >= 0 {
			C.pqsshd_free_resp(r, n)
			return C.PAM_CONV_ERR
		}
		buf := (*C.char)(C.malloc(C.size_t(len(a) + 1)))
		if buf == nil {
			C.pqsshd_free_resp(r, n)
			return C.PAM_BUF_ERR
		}
		b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), len(a)+1)
		copy(b, a)
		b[len(a)] = 0
		rs[i].resp = buf
	}
	*resp = r
	return C.PAM_SUCCESS
}
