package mux

import (
	"fmt"
	"net"
	"os"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Conn is the SSH connection a master shares (*ssh.Client is one).
type Conn interface {
	OpenChannel(name string, data []byte) (ssh.Channel, <-chan *ssh.Request, error)
	Dial(network, addr string) (net.Conn, error)
}

// Logger receives the master's diagnostics (*client.Logger is one).
type Logger interface {
	Debug(n int, format string, args ...any)
	Error(format string, args ...any)
}

// Forward is a forwarding requested with MUX_C_OPEN_FWD or
// MUX_C_CLOSE_FWD. A port of -2 marks the host as a Unix socket path
// (PROTOCOL.mux section 6); ListenHost "" means the default bind address
// and "*" every address.
type Forward struct {
	Kind        byte // 'L', 'R' or 'D'
	ListenHost  string
	ListenPort  int
	ConnectHost string
	ConnectPort int
}

// String describes f as OpenSSH's format_forward does.
func (f Forward) String() string {
	switch f.Kind {
	case 'L':
		return fmt.Sprintf("local forward %s:%d -> %s:%d", f.ListenHost, f.ListenPort, f.ConnectHost, f.ConnectPort)
	case 'R':
		return fmt.Sprintf("remote forward %s:%d -> %s:%d", f.ListenHost, f.ListenPort, f.ConnectHost, f.ConnectPort)
	}
	return fmt.Sprintf("dynamic forward %s:%d -> *", f.ListenHost, f.ListenPort)
}

// Forwarder opens and closes forwardings on the shared connection.
type Forwarder interface {
	// OpenForward starts f and returns the port the server allocated
	// for a remote forwarding of port 0 (else 0).
	OpenForward(f Forward) (allocated int, err error)
	// CloseForward stops f.
	CloseForward(f Forward) error
}

// Master serves mux clients on a control socket, sharing Conn.
type Master struct {
	Conn Conn
	// Host names the connection in confirmation prompts.
	Host string
	// Ask, if set, confirms each new session, forwarding or termination
	// (ControlMaster ask/autoask); it returns true to allow.
	Ask func(prompt string) bool
	// Forwarder serves MUX_C_OPEN_FWD and MUX_C_CLOSE_FWD; nil refuses
	// them.
	Forwarder Forwarder
	// EnvPermitted filters the environment a client passes (ssh applies
	// the master's SendEnv patterns); nil passes nothing.
	EnvPermitted func(nameValue string) bool
	// ForwardAgent, if set, is called on a session channel whose client
	// asked for agent forwarding.
	ForwardAgent func(ch ssh.Channel) error
	// OnTerminate is called when a client asks the master to exit
	// (ssh -O exit), after the reply is sent.
	OnTerminate func()
	Log         Logger

	mu       sync.Mutex
	l        *net.UnixListener
	path     string
	active   int
	nextID   uint32
	ttys     map[uint32]*passenger
	changed  chan struct{}
	done     chan struct{}
	doneOnce sync.Once
	conns    map[*net.UnixConn]struct{}
}

func (m *Master) init() {
	if m.changed == nil {
		m.changed = make(chan struct{}, 1)
		m.done = make(chan struct{})
		m.ttys = map[uint32]*passenger{}
		m.conns = map[*net.UnixConn]struct{}{}
	}
}

// Start begins serving l, the control socket at path (see Listen).
func (m *Master) Start(l *net.UnixListener, path string) {
	m.mu.Lock()
	m.init()
	m.l, m.path = l, path
	m.mu.Unlock()
	m.debug(1, "mux: listening on %s", path)
	go m.watchWindows()
	go func() {
		for {
			c, err := l.AcceptUnix()
			if err != nil {
				return
			}
			go m.serve(c)
		}
	}()
}

// Active returns the number of client sessions (and stdio forwardings)
// in progress.
func (m *Master) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active
}

// Listening reports whether the control socket still accepts clients.
func (m *Master) Listening() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.l != nil
}

// Changed is signalled whenever a client session starts or ends or the
// master stops listening.
func (m *Master) Changed() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	return m.changed
}

// Done is closed when the master was told to exit or was closed.
func (m *Master) Done() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	return m.done
}

func (m *Master) notify() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// StopListening closes the control socket and removes it; sessions in
// progress go on (ssh -O stop).
func (m *Master) StopListening() {
	m.mu.Lock()
	l, path := m.l, m.path
	m.l = nil
	m.mu.Unlock()
	if l == nil {
		return
	}
	os.Remove(path)
	l.Close()
	m.debug(1, "mux: stopped listening on %s", path)
	m.notify()
}

// Close stops listening and ends every control connection (and so the
// sessions of its clients).
func (m *Master) Close() error {
	m.StopListening()
	m.mu.Lock()
	m.init()
	for c := range m.conns {
		c.Close()
	}
	m.mu.Unlock()
	m.doneOnce.Do(func() { close(m.done) })
	return nil
}

func (m *Master) debug(n int, format string, args ...any) {
	if m.Log != nil {
		m.Log.Debug(n, format, args...)
	}
}

func (m *Master) logError(format string, args ...any) {
	if m.Log != nil {
		m.Log.Error(format, args...)
	}
}

func (m *Master) ask(format string, args ...any) bool {
	if m.Ask == nil {
		return true
	}
	return m.Ask(fmt.Sprintf(format, args...))
}

func (m *Master) sessionStarted() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.active++
	m.nextID++
	m.notify()
	return m.nextID
}

func (m *Master) sessionEnded() {
	m.mu.Lock()
	m.active--
	m.mu.Unlock()
	m.notify()
}
