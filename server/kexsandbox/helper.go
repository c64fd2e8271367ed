package kexsandbox

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/pqssh/pqssh/internal/sandbox"
	"github.com/pqssh/pqssh/kex"
)

// HelperArg0 is argv[0] of the sandbox helper.
const HelperArg0 = "pqsshd-kex"

// markerEnv marks the helper's environment.
const markerEnv = "PQSSHD_KEX_SANDBOX"

// ChrootDir is the empty directory the helper is confined to when started
// by root (OpenSSH's privilege-separation directory).
const ChrootDir = sandbox.ChrootDir

// helperFD is the helper's end of the socket pair.
const helperFD = 3

// maxRequest bounds a request: the largest public value (McEliece's
// 1,044,992-byte key plus the X25519 share) with room to spare.
const maxRequest = 2 << 20

// maxReply bounds a reply: the server's reply and the shared secret.
const maxReply = 64 << 10

// Main runs the helper when the process is one (argv[0] HelperArg0 and
// the marker in the environment) and never returns then; otherwise it
// returns at once. Call it first thing in main (and in TestMain).
func Main() {
	if len(os.Args) != 4 || os.Args[0] != HelperArg0 || os.Getenv(markerEnv) != "1" {
		return
	}
	os.Exit(runHelper(os.Args[1], os.Args[2], os.Args[3]))
}

func runHelper(uidArg, gidArg, dir string) int {
	f := os.NewFile(helperFD, "pqsshd-kex")
	uid, err1 := strconv.Atoi(uidArg)
	gid, err2 := strconv.Atoi(gidArg)
	if err1 != nil || err2 != nil {
		return 2
	}
	if err := sandbox.Enter(sandbox.Options{Chroot: dir, UID: uid, GID: gid}); err != nil {
		fmt.Fprintln(os.Stderr, "pqsshd kex sandbox:", err)
		return 1
	}
	r := bufio.NewReader(f)
	for {
		req, err := readFrame(r, maxRequest)
		if err != nil {
			return 0 // the parent closed the socket (or broke the protocol)
		}
		if _, err := f.Write(frame(respond(req))); err != nil {
			return 0
		}
	}
}

// respond answers one request: name length, name, the client's public
// value. The answer is status 0, reply length, reply, secret; or status 1
// and an error message.
func respond(req []byte) []byte {
	fail := func(msg string) []byte { return append([]byte{1}, msg...) }
	if len(req) < 1 || len(req) < 1+int(req[0]) {
		return fail("malformed request")
	}
	name, pub := string(req[1:1+int(req[0])]), req[1+int(req[0]):]
	h, ok := kex.Lookup(name)
	if !ok {
		return fail("unknown key exchange " + strconv.Quote(name))
	}
	reply, secret, err := h.Respond(rand.Reader, pub)
	if err != nil {
		return fail(err.Error())
	}
	out := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(reply)))
	out = append(append(out, reply...), secret...)
	clear(secret)
	return out
}

// frame prefixes b with its length.
func frame(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// errOversized is a frame longer than its bound.
var errOversized = errors.New("oversized frame")

// readFrame reads one length-prefixed message of at most max bytes.
func readFrame(r io.Reader, max int) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > uint32(max) {
		return nil, fmt.Errorf("%d-byte message exceeds %d: %w", size, max, errOversized)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}
