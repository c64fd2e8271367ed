package userproc

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// How the daemon marks a re-executed copy of itself as a helper: argv[0]
// and an environment variable (the only one it passes), with the socket
// pair as descriptor 3 and the user's home directory as argv[1].
const (
	markerEnv  = "PQSSHD_USERPROC"
	helperArg0 = "pqsshd-userproc"
	helperFD   = 3
)

// Bounds of the helper's own work: requests handled at once (the daemon
// has its own, lower limits on forwarding), the longest connect, and
// error strings in replies.
const (
	maxConcurrent  = 4096
	maxDialTimeout = 5 * time.Minute
	maxErrString   = 1024
)

// Main serves as a helper and exits if this process was started as one by
// Start; otherwise it returns at once. Programs that can start helpers
// (pqsshd, and test binaries that run a pqsshd server) call it first thing
// in main or TestMain.
func Main() {
	if len(os.Args) < 2 || os.Args[0] != helperArg0 || os.Getenv(markerEnv) != "1" {
		return
	}
	// Started through /proc/self/exe, the process would be called "exe"
	// in ps and ss; name it after what it is (at most 15 bytes). Main
	// runs first thing, on the main thread, whose name is the process's.
	name := []byte(helperArg0 + "\x00")
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0)
	if len(os.Args) > 2 {
		cred, err := parseCredentialArg(os.Args[2])
		if err == nil {
			err = dropPrivileges(cred)
		}
		if err != nil {
			// Nothing to log to: the daemon sees the helper exit.
			os.Exit(3)
		}
	}
	os.Exit(serveHelper(os.Args[1]))
}

// serveHelper is the helper's life: set up the process, then answer
// requests until the daemon closes its end of the socket pair.
func serveHelper(home string) int {
	os.Clearenv()
	syscall.Umask(0o177) // Unix sockets it binds are 0600, as OpenSSH's
	closeStrayDescriptors(helperFD)
	if home == "" || os.Chdir(home) != nil {
		os.Chdir("/")
	}
	f := os.NewFile(helperFD, "userproc")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return 2
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 2
	}
	s := &helperServer{conn: uc, listeners: map[uint64]*listener{}, sem: make(chan struct{}, maxConcurrent)}
	return s.serve()
}

// closeStrayDescriptors closes every descriptor above keep that the
// process may have inherited despite the daemon (the Go runtime's own
// epoll and eventfd descriptors are left alone).
func closeStrayDescriptors(keep int) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= keep {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || strings.HasPrefix(target, "anon_inode:") {
			continue // gone (the directory read above), or the runtime's
		}
		syscall.Close(fd)
	}
}

// helperServer answers the daemon's requests.
type helperServer struct {
	conn *net.UnixConn
	wmu  sync.Mutex
	sem  chan struct{}

	mu        sync.Mutex
	nextID    uint64
	listeners map[uint64]*listener
}

func (s *helperServer) serve() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer s.closeListeners()
	buf := make([]byte, maxMessage+1)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	for {
		n, oobn, flags, _, err := s.conn.ReadMsgUnix(buf, oob)
		closeDescriptors(parseRights(oob[:oobn])) // the daemon sends none
		if err != nil || n == 0 {
			return 0 // the daemon closed its end: the connection is over
		}
		if flags&syscall.MSG_TRUNC != 0 {
			return 2
		}
		var req request
		if err := json.Unmarshal(buf[:n], &req); err != nil {
			return 2
		}
		select {
		case s.sem <- struct{}{}:
		default:
			s.send(reply{ID: req.ID, Err: "user socket helper busy"}, -1)
			continue
		}
		go func() {
			defer func() { <-s.sem }()
			s.handle(ctx, req)
		}()
	}
}

func (s *helperServer) handle(ctx context.Context, req request) {
	switch req.Op {
	case opDial:
		if err := checkRequest(req.Network, req.Address, ListenOptions{}); err != nil {
			s.fail(req, err)
			return
		}
		timeout := time.Duration(req.TimeoutMS) * time.Millisecond
		if timeout <= 0 || timeout > maxDialTimeout {
			timeout = maxDialTimeout
		}
		dctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c, err := dialSocket(dctx, req.Network, req.Address)
		if err != nil {
			s.fail(req, err)
			return
		}
		s.sendConn(req, c)
	case opListen:
		opts := ListenOptions{UnlinkFirst: req.UnlinkFirst, PrivateDir: req.PrivateDir}
		if err := checkRequest(req.Network, req.Address, opts); err != nil {
			s.fail(req, err)
			return
		}
		l, err := listenSocket(req.Network, req.Address, opts, false)
		if err != nil {
			s.fail(req, err)
			return
		}
		s.mu.Lock()
		s.nextID++
		id := s.nextID
		s.listeners[id] = l
		s.mu.Unlock()
		if s.send(reply{ID: req.ID, Listener: id, Address: l.Addr().String()}, -1) != nil {
			s.closeListener(id)
		}
	case opAccept:
		s.mu.Lock()
		l := s.listeners[req.Listener]
		s.mu.Unlock()
		if l == nil {
			s.fail(req, net.ErrClosed)
			return
		}
		c, err := acceptRetrying(l)
		if err != nil {
			s.fail(req, err)
			return
		}
		s.sendConn(req, c)
	case opClose:
		s.closeListener(req.Listener)
		s.send(reply{ID: req.ID}, -1)
	default:
		s.fail(req, errors.New("unknown request "+strconv.Quote(req.Op)))
	}
}

// acceptRetrying accepts, riding out transient failures (such as running
// out of descriptors) until the listener is closed.
func acceptRetrying(l net.Listener) (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Accept()
		if err == nil || errors.Is(err, net.ErrClosed) {
			return c, err
		}
		delay = min(max(2*delay, 5*time.Millisecond), time.Second)
		time.Sleep(delay)
	}
}

// sendConn passes c's descriptor to the daemon and closes the helper's
// copy: the helper keeps no connections.
func (s *helperServer) sendConn(req request, c net.Conn) {
	defer c.Close()
	fc, ok := c.(interface{ File() (*os.File, error) })
	if !ok {
		s.fail(req, errors.New("connection has no descriptor"))
		return
	}
	f, err := fc.File()
	if err != nil {
		s.fail(req, err)
		return
	}
	defer f.Close()
	s.send(reply{ID: req.ID}, int(f.Fd()))
}

func (s *helperServer) fail(req request, err error) {
	msg := err.Error()
	if len(msg) > maxErrString {
		msg = msg[:maxErrString]
	}
	s.send(reply{ID: req.ID, Err: msg}, -1)
}

func (s *helperServer) send(r reply, fd int) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var oob []byte
	if fd >= 0 {
		oob = syscall.UnixRights(fd)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, _, err = s.conn.WriteMsgUnix(b, oob, nil)
	return err
}

func (s *helperServer) closeListener(id uint64) {
	s.mu.Lock()
	l := s.listeners[id]
	delete(s.listeners, id)
	s.mu.Unlock()
	if l != nil {
		l.Close()
	}
}

// closeListeners closes (and so removes the socket files of) every
// listener left when the daemon goes away.
func (s *helperServer) closeListeners() {
	s.mu.Lock()
	ls := s.listeners
	s.listeners = map[uint64]*listener{}
	s.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
}

// parseRights returns the descriptors in SCM_RIGHTS control messages.
func parseRights(oob []byte) []int {
	if len(oob) == 0 {
		return nil
	}
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var fds []int
	for _, m := range msgs {
		if m.Header.Level != syscall.SOL_SOCKET || m.Header.Type != syscall.SCM_RIGHTS {
			continue
		}
		if got, err := syscall.ParseUnixRights(&m); err == nil {
			fds = append(fds, got...)
		}
	}
	return fds
}

func closeDescriptors(fds []int) {
	for _, fd := range fds {
		syscall.Close(fd)
	}
}
