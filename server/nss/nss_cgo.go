//go:build cgo && linux

package nss

/*
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/types.h>

static int pqsshd_getpwnam(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
	return getpwnam_r(name, pw, buf, len, res);
}
static int pqsshd_getgrgid(gid_t gid, struct group *gr, char *buf, size_t len, struct group **res) {
	return getgrgid_r(gid, gr, buf, len, res);
}
*/
import "C"

import (
	"fmt"
	"syscall"
	"unsafe"
)

// maxBuf bounds the buffer of one lookup.
const maxBuf = 1 << 20

// Lookup returns name's passwd entry (getpwnam_r(3)).
func Lookup(name string) (*Passwd, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	for size := C.size_t(1024); size <= maxBuf; size *= 4 {
		buf := C.malloc(size)
		var pw C.struct_passwd
		var res *C.struct_passwd
		r := C.pqsshd_getpwnam(cname, &pw, (*C.char)(buf), size, &res)
		if r == C.ERANGE {
			C.free(buf)
			continue
		}
		if r != 0 {
			C.free(buf)
			return nil, fmt.Errorf("nss: getpwnam_r %q: %w", name, syscall.Errno(r))
		}
		if res == nil {
			C.free(buf)
			return nil, ErrNotFound
		}
		p := &Passwd{Name: C.GoString(pw.pw_name), Passwd: C.GoString(pw.pw_passwd), UID: int(pw.pw_uid), GID: int(pw.pw_gid),
			Gecos: C.GoString(pw.pw_gecos), Home: C.GoString(pw.pw_dir), Shell: C.GoString(pw.pw_shell)}
		C.free(buf)
		return p, nil
	}
	return nil, fmt.Errorf("nss: getpwnam_r %q: entry larger than %d bytes", name, maxBuf)
}

// Groups returns the groups of user whose primary group is gid
// (getgrouplist(3)), with their names where a source has one.
func Groups(user string, gid int) ([]Group, error) {
	cname := C.CString(user)
	defer C.free(unsafe.Pointer(cname))
	n := C.int(64)
	for tries := 0; tries < 8; tries++ {
		list := make([]C.gid_t, n)
		got := n
		if C.getgrouplist(cname, C.gid_t(gid), &list[0], &got) >= 0 {
			out := make([]Group, 0, got)
			for _, g := range list[:got] {
				out = append(out, Group{GID: int(g), Name: groupName(g)})
			}
			return out, nil
		}
		if got <= n {
			n *= 2
		} else {
			n = got
		}
	}
	return nil, fmt.Errorf("nss: getgrouplist %q: too many groups", user)
}

func groupName(gid C.gid_t) string {
	for size := C.size_t(1024); size <= maxBuf; size *= 4 {
		buf := C.malloc(size)
		var gr C.struct_group
		var res *C.struct_group
		r := C.pqsshd_getgrgid(gid, &gr, (*C.char)(buf), size, &res)
		if r == C.ERANGE {
			C.free(buf)
			continue
		}
		name := ""
		if r == 0 && res != nil {
			name = C.GoString(gr.gr_name)
		}
		C.free(buf)
		return name
	}
	return ""
}
