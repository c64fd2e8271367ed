//go:build cgo && linux

package wtmpdb

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

// libwtmpdb's wtmpdb_login and wtmpdb_logout (include/wtmpdb.h).
typedef int64_t (*pq_login_fn)(const char *db, int type, const char *user, uint64_t usec,
	const char *tty, const char *rhost, const char *service, char **error);
typedef int (*pq_logout_fn)(const char *db, int64_t id, uint64_t usec, char **error);

typedef struct { pq_login_fn login; pq_logout_fn logout; } pq_wtmpdb;

static int pq_wtmpdb_load(pq_wtmpdb *w) {
	void *lib = dlopen("libwtmpdb.so.0", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return 0;
	w->login = (pq_login_fn)dlsym(lib, "wtmpdb_login");
	w->logout = (pq_logout_fn)dlsym(lib, "wtmpdb_logout");
	return w->login != NULL && w->logout != NULL;
}

static int64_t pq_wtmpdb_login(pq_wtmpdb *w, const char *user, uint64_t usec, const char *tty,
	const char *rhost, char **error) {
	return w->login(NULL, 3, user, usec, tty, rhost, NULL, error); // 3: USER_PROCESS
}

static int pq_wtmpdb_logout(pq_wtmpdb *w, int64_t id, uint64_t usec, char **error) {
	return w->logout(NULL, id, usec, error);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// library loads libwtmpdb.so.0 once per process (the library's functions
// do not change while it runs).
var library = sync.OnceValue(func() *C.pq_wtmpdb {
	w := (*C.pq_wtmpdb)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pq_wtmpdb{}))))
	if C.pq_wtmpdb_load(w) == 0 {
		C.free(unsafe.Pointer(w))
		return nil
	}
	return w
})

// Login records user's login on the terminal line (a device path or name)
// from host at t, in the system's wtmpdb database, and returns the entry's
// ID for Logout.
func Login(user string, t time.Time, line, host string) (int64, error) {
	w := library()
	if w == nil {
		return 0, ErrUnavailable
	}
	// The terminal without "/dev/", as sshd's wtmpdb_perform_login.
	cu, ct, ch := C.CString(user), C.CString(strings.TrimPrefix(line, "/dev/")), C.CString(host)
	defer C.free(unsafe.Pointer(cu))
	defer C.free(unsafe.Pointer(ct))
	defer C.free(unsafe.Pointer(ch))
	var cerr *C.char
	id := C.pq_wtmpdb_login(w, cu, C.uint64_t(t.UnixMicro()), ct, ch, &cerr)
	if id < 0 {
		return 0, libError("wtmpdb_login", cerr)
	}
	return int64(id), nil
}

// Logout records at t the end of the login Login returned id for.
func Logout(id int64, t time.Time) error {
	w := library()
	if w == nil {
		return ErrUnavailable
	}
	var cerr *C.char
	if C.pq_wtmpdb_logout(w, C.int64_t(id), C.uint64_t(t.UnixMicro()), &cerr) < 0 {
		return libError("wtmpdb_logout", cerr)
	}
	return nil
}

// libError is the library's error message (freed here), or a generic one.
func libError(fn string, cerr *C.char) error {
	if cerr == nil {
		return fmt.Errorf("wtmpdb: %s failed", fn)
	}
	defer C.free(unsafe.Pointer(cerr))
	return errors.New("wtmpdb: " + fn + ": " + C.GoString(cerr))
}
