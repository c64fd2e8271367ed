package cli

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// echoUnix answers every connection on a new Unix-domain socket with
// "echo:" and what it read, and returns the socket's path.
func echoUnix(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "echo.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				data, _ := io.ReadAll(c)
				c.Write(append([]byte("echo:"), data...))
			}()
		}
	}()
	return path
}

// dialAny dials a TCP address or a socket path until it answers.
func dialAny(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	for i := 0; i < 200; i++ {
		c, err := net.Dial(network, addr)
		if err == nil {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
	return nil
}

func roundTripAny(t *testing.T, c net.Conn, msg string) string {
	t.Helper()
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte(msg))
	c.(interface{ CloseWrite() error }).CloseWrite()
	got, _ := io.ReadAll(c)
	return string(got)
}

// TestUnixSocketForwardings: each -L and -R form with a Unix-domain
// socket end carries data (the test server is on this machine, so its
// "remote" sockets are too): [bind:]port:remote_socket,
// local_socket:host:hostport, local_socket:remote_socket, and -R alike.
// Local sockets are created 0600 (StreamLocalBindMask 0177) and removed
// at exit.
func TestUnixSocketForwardings(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	sock := echoUnix(t, dir)
	echo := echoServer(t)
	for i, c := range []struct {
		flag, spec      string
		network, listen string
	}{
		{"-L", "%d:" + sock, "tcp", "127.0.0.1:%d"},
		{"-L", "127.0.0.1:%d:" + sock, "tcp", "127.0.0.1:%d"},
		{"-L", dir + "/l%d.sock:127.0.0.1:" + fmt.Sprint(echo), "unix", dir + "/l%d.sock"},
		{"-L", dir + "/ll%d.sock:" + sock, "unix", dir + "/ll%d.sock"},
		{"-R", "%d:" + sock, "tcp", "127.0.0.1:%d"},
		{"-R", dir + "/r%d.sock:127.0.0.1:" + fmt.Sprint(echo), "unix", dir + "/r%d.sock"},
		{"-R", dir + "/rr%d.sock:" + sock, "unix", dir + "/rr%d.sock"},
	} {
		n := freePort(t)
		if c.network == "unix" {
			n = i
		}
		spec := strings.Replace(c.spec, "%d", fmt.Sprint(n), 1)
		listen := strings.Replace(c.listen, "%d", fmt.Sprint(n), 1)
		stop := f.background(c.flag, spec, "test", "cat >/dev/null")
		conn := dialAny(t, c.network, listen)
		if c.network == "unix" && c.flag == "-L" {
			fi, err := os.Stat(listen)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s %s: socket mode %v %v, want 0600", c.flag, spec, fi.Mode(), err)
			}
		}
		got := roundTripAny(t, conn, "unix")
		if r := stop(); r.code != 0 {
			t.Fatalf("%s %s: %v", c.flag, spec, r)
		}
		if got != "echo:unix" {
			t.Errorf("%s %s: got %q", c.flag, spec, got)
		}
		if c.network == "unix" && c.flag == "-L" {
			if _, err := os.Lstat(listen); err == nil {
				t.Errorf("%s %s: socket left behind", c.flag, spec)
			}
		}
	}
}

// TestStreamLocalBindMaskAndUnlink: StreamLocalBindMask sets the local
// socket's mode; a stale socket file makes the bind fail unless
// StreamLocalBindUnlink (with ExitOnForwardFailure the failure ends
// pqssh).
func TestStreamLocalBindMaskAndUnlink(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	sock := echoUnix(t, dir)
	listen := filepath.Join(dir, "local.sock")
	stop := f.background("-o", "StreamLocalBindMask=0117", "-L", listen+":"+sock, "test", "cat >/dev/null")
	conn := dialAny(t, "unix", listen)
	fi, err := os.Stat(listen)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Errorf("StreamLocalBindMask 0117: mode %v %v, want 0660", fi.Mode(), err)
	}
	roundTripAny(t, conn, "x")
	stop()

	// A stale socket (its listener gone, the file left).
	stale, err := net.Listen("unix", listen)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if r := f.run(nil, "-o", "ExitOnForwardFailure=yes", "-L", listen+":"+sock, "test", "true"); r.code == 0 || !strings.Contains(r.stderr, "cannot bind to path "+listen) {
		t.Errorf("bind over a stale socket without StreamLocalBindUnlink: %v", r)
	}
	stop = f.background("-o", "StreamLocalBindUnlink=yes", "-o", "ExitOnForwardFailure=yes", "-L", listen+":"+sock, "test", "cat >/dev/null")
	got := roundTripAny(t, dialAny(t, "unix", listen), "unlinked")
	if r := stop(); r.code != 0 || got != "echo:unlinked" {
		t.Errorf("StreamLocalBindUnlink: %q %v", got, r)
	}
}

// socks5Connect asks a SOCKS5 server on c for host:port and reports the
// reply code (0 = success).
func socks5Connect(t *testing.T, c net.Conn, host string, port int) byte {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte{5, 1, 0})
	var sel [2]byte
	if _, err := io.ReadFull(c, sel[:]); err != nil || sel != [2]byte{5, 0} {
		t.Fatalf("SOCKS5 method selection: %v %v", sel, err)
	}
	req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	c.Write(binary.BigEndian.AppendUint16(req, uint16(port)))
	var rep [10]byte
	if _, err := io.ReadFull(c, rep[:]); err != nil {
		t.Fatalf("SOCKS5 reply: %v", err)
	}
	return rep[1]
}

// TestRemoteDynamicForward: -R port alone makes the server's port a SOCKS
// proxy whose connections pqssh opens locally; PermitRemoteOpen limits
// the destinations.
func TestRemoteDynamicForward(t *testing.T) {
	f := newFixture(t)
	echo := echoServer(t)
	rport := freePort(t)
	stop := f.background("-R", fmt.Sprint(rport), "test", "cat >/dev/null")
	c := dialAny(t, "tcp", fmt.Sprintf("127.0.0.1:%d", rport))
	if code := socks5Connect(t, c, "127.0.0.1", echo); code != 0 {
		t.Fatalf("SOCKS5 reply %d", code)
	}
	got := roundTripAny(t, c, "rdyn")
	if r := stop(); r.code != 0 || got != "echo:rdyn" {
		t.Fatalf("-R %d: %q %v", rport, got, r)
	}

	// PermitRemoteOpen names another port: refused.
	rport = freePort(t)
	stop = f.background("-o", "PermitRemoteOpen=127.0.0.1:1", "-R", fmt.Sprint(rport), "test", "cat >/dev/null")
	c = dialAny(t, "tcp", fmt.Sprintf("127.0.0.1:%d", rport))
	code := socks5Connect(t, c, "127.0.0.1", echo)
	c.Close()
	r := stop()
	if code == 0 || !strings.Contains(r.stderr, "not permitted by PermitRemoteOpen") {
		t.Errorf("PermitRemoteOpen: reply %d, %v", code, r)
	}
}
