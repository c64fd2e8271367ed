package server

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"slices"
	"sync"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/faultinject"
	"github.com/pqssh/pqssh/internal/proctitle"
	"github.com/pqssh/pqssh/server/config"
)

// NewNetProcess returns the Server of a connection's network process
// (privsep.go): it loads no host key (the monitor signs) and no McTiny
// state (the monitor computes McTiny's key exchange).
func NewNetProcess(cfg *config.Config, logger *slog.Logger) (*Server, error) {
	return newServerRole(cfg, logger, roleNet)
}

// ServeNetProcess serves, in a network process, the connection of its
// monitor: conn is the client's TCP connection, ctl the listener's control
// socket, mon the monitor socket (NetConnFD). confine drops the process's
// privileges; it runs after the monitor's hello and before the first byte
// from the client is read.
func (s *Server) ServeNetProcess(conn, ctl, mon, keys *os.File, confine func() error) error {
	c, err := net.FileConn(conn)
	conn.Close()
	if err != nil {
		return fmt.Errorf("pqsshd-auth: connection: %w", err)
	}
	defer c.Close()
	lc, err := net.FileConn(ctl)
	ctl.Close()
	if err != nil {
		return fmt.Errorf("pqsshd-auth: control socket: %w", err)
	}
	uc, ok := lc.(*net.UnixConn)
	if !ok {
		lc.Close()
		return errors.New("pqsshd-auth: control socket is not a Unix socket")
	}
	defer uc.Close()
	mc, err := net.FileConn(mon)
	mon.Close()
	if err != nil {
		return fmt.Errorf("pqsshd-auth: monitor socket: %w", err)
	}
	defer mc.Close()
	kc, err := net.FileConn(keys)
	keys.Close()
	if err != nil {
		return fmt.Errorf("pqsshd-auth: key socket: %w", err)
	}
	defer kc.Close()
	link := newPrivsepLink(mc)
	var hello psHelloMsg
	if err := link.readJSON(psHello, &hello); err != nil {
		return fmt.Errorf("pqsshd-auth: monitor hello: %w", err)
	}
	if err := confine(); err != nil {
		return fmt.Errorf("pqsshd-auth: %w", err)
	}
	n := &netSide{s: s, link: link, keys: newPrivsepLink(kc)}
	signers, err := n.hostSigners(hello.HostKeys)
	if err != nil {
		return fmt.Errorf("pqsshd-auth: %w", err)
	}
	s.mu.Lock()
	s.signers = signers
	s.mu.Unlock()

	st, log := s.newConnState(c)
	st.link = &procLink{c: uc}
	st.admitted = true
	st.block = sourceBlock(st.host, s.Config().PerSourceNetBlockSize)
	n.st = st
	proctitle.Set("%s", "[net]")
	s.prepareConn(st, c, log, procLedger{st.link})
	sc := s.budgetedServerConfig(st, nil)
	n.proxy(sc, hello.MonitorKex)
	_, _, _, err = gossh.NewServerConn(&trackedConn{Conn: st.gate, st: st}, sc)
	switch {
	case errors.Is(err, gossh.ErrHandedOff) && n.handedOver:
		log.Debug("transport handed over to the monitor")
	case errors.Is(err, gossh.ErrHandedOff):
		log.Debug("connection ended", "bytes_in", st.bytes.in.Load(), "bytes_out", st.bytes.out.Load())
	case err != nil:
		s.connectionFailed(c, err)
	}
	if st.grace != nil {
		st.grace.Stop()
	}
	return nil
}

// netSide is a network process's half of the monitor protocol.
type netSide struct {
	s    *Server
	st   *connState
	link *privsepLink
	mu   sync.Mutex // one request at a time on link

	keys  *privsepLink
	keyMu sync.Mutex // one request at a time on keys

	// handedOver: the transport went to the monitor (psTransport); the
	// connection is the monitor's to log and close.
	handedOver bool
}

// keyCall sends a request on the key socket and reads its answer.
func (n *netSide) keyCall(typ byte, req any) (psAnswerMsg, error) {
	n.keyMu.Lock()
	defer n.keyMu.Unlock()
	var a psAnswerMsg
	if err := n.keys.writeJSON(typ, req); err != nil {
		return a, fmt.Errorf("monitor: %w", err)
	}
	if err := n.keys.readJSON(psAnswer, &a); err != nil {
		return a, fmt.Errorf("monitor: %w", err)
	}
	return a, nil
}

// call sends a request and reads its answer.
func (n *netSide) call(typ byte, req any) (psAnswerMsg, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var a psAnswerMsg
	if err := n.link.writeJSON(typ, req); err != nil {
		return a, fmt.Errorf("monitor: %w", err)
	}
	if err := n.link.readJSON(psAnswer, &a); err != nil {
		return a, fmt.Errorf("monitor: %w", err)
	}
	return a, nil
}

func (n *netSide) meta(conn gossh.ConnMetadata) psMeta {
	m := psMeta{User: conn.User(), ClientVersion: string(conn.ClientVersion()), ServerVersion: string(conn.ServerVersion())}
	if am, ok := conn.(gossh.AlgorithmsConnMetadata); ok {
		m.Algorithms = am.Algorithms()
	}
	return m
}

// outcome turns an answer to an authentication request into what
// x/crypto expects of the callback.
func (n *netSide) outcome(conn gossh.ConnMetadata, a psAnswerMsg, err error) (*gossh.Permissions, error) {
	if err != nil {
		return nil, err
	}
	n.st.mu.Lock()
	n.st.user = conn.User()
	n.st.invalidUser = a.InvalidUser
	n.st.mu.Unlock()
	n.st.titleUserNamed(conn.User(), !a.InvalidUser)
	switch {
	case a.Partial != nil:
		return nil, &gossh.PartialSuccessError{Next: n.callbacks(a.Partial)}
	case a.OK:
		return &gossh.Permissions{}, nil
	case a.Err != "":
		return nil, errors.New(a.Err)
	}
	return nil, errors.New("refused by the monitor")
}

// callbacks are proxies of the methods the monitor offers.
func (n *netSide) callbacks(methods []string) gossh.ServerAuthCallbacks {
	var cb gossh.ServerAuthCallbacks
	for _, m := range methods {
		switch m {
		case "publickey":
			cb.PublicKeyCallback = n.publicKey
		case "password":
			cb.PasswordCallback = n.password
		case "keyboard-interactive":
			cb.KeyboardInteractiveCallback = n.kbdInt
		}
	}
	return cb
}

func (n *netSide) publicKey(conn gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
	if f := faultinject.PreauthUser; f != nil {
		f(conn.User())
	}
	a, err := n.call(psPKQuery, psPKReq{Meta: n.meta(conn), Key: key.Marshal()})
	if err == nil && a.OK {
		n.st.mu.Lock()
		n.st.user = conn.User()
		n.st.mu.Unlock()
		n.st.titleUserNamed(conn.User(), true)
		return nil, nil
	}
	return n.outcome(conn, a, err)
}

func (n *netSide) publicKeySignature(conn gossh.ConnMetadata, key gossh.PublicKey, _ *gossh.Permissions, data []byte, sig *gossh.Signature) (*gossh.Permissions, error) {
	a, err := n.call(psPKSig, psPKReq{Meta: n.meta(conn), Key: key.Marshal(), Data: data, Sig: sig})
	return n.outcome(conn, a, err)
}

func (n *netSide) password(conn gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
	a, err := n.call(psPassword, psPasswordReq{Meta: n.meta(conn), Password: pw})
	return n.outcome(conn, a, err)
}

// kbdInt relays a keyboard-interactive attempt: the monitor sends
// challenges until it answers.
func (n *netSide) kbdInt(conn gossh.ConnMetadata, client gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.link.writeJSON(psKbdStart, psKbdReq{Meta: n.meta(conn)}); err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	for {
		typ, body, err := n.link.read(maxPrivsepRequest)
		if err != nil {
			return nil, fmt.Errorf("monitor: %w", err)
		}
		switch typ {
		case psKbdChallenge:
			var c psKbdChallengeMsg
			if err := json.Unmarshal(body, &c); err != nil {
				return nil, fmt.Errorf("monitor: %w", err)
			}
			answers, err := client(c.Name, c.Instruction, c.Questions, c.Echos)
			r := psKbdReq{Answers: answers}
			if err != nil {
				r = psKbdReq{Err: err.Error()}
			}
			if err := n.link.writeJSON(psKbdAnswers, r); err != nil {
				return nil, fmt.Errorf("monitor: %w", err)
			}
		case psAnswer:
			var a psAnswerMsg
			if err := json.Unmarshal(body, &a); err != nil {
				return nil, fmt.Errorf("monitor: %w", err)
			}
			return n.outcome(conn, a, nil)
		default:
			return nil, fmt.Errorf("monitor: unexpected frame type %d", typ)
		}
	}
}

// proxy makes sc's decisions the monitor's: authentication, the banner,
// the monitor-computed key exchanges, and the hand-over.
func (n *netSide) proxy(sc *gossh.ServerConfig, monitorKex []psKexInfo) {
	// Which methods are offered is decided from the configuration, as in
	// the monitor; what the callbacks answer is the monitor's.
	methods := []string{"publickey"}
	if sc.PasswordCallback != nil {
		methods = append(methods, "password")
	}
	if sc.KeyboardInteractiveCallback != nil {
		methods = append(methods, "keyboard-interactive")
	}
	cb := n.callbacks(methods)
	sc.PublicKeyCallback, sc.PasswordCallback, sc.KeyboardInteractiveCallback = cb.PublicKeyCallback, cb.PasswordCallback, cb.KeyboardInteractiveCallback
	sc.VerifiedPublicKeyCallback = nil
	sc.PublicKeySignatureCallback = n.publicKeySignature
	sc.BannerCallback = func(conn gossh.ConnMetadata) string {
		a, err := n.call(psBanner, psPKReq{Meta: n.meta(conn)})
		if err != nil {
			return ""
		}
		return a.Banner
	}
	sc.AuthLogCallback = func(conn gossh.ConnMetadata, method string, err error) {
		var partial *gossh.PartialSuccessError
		r := psAuthLogReq{Meta: n.meta(conn), Method: method, Partial: errors.As(err, &partial)}
		if err != nil && !r.Partial {
			r.Err = err.Error()
			if method != "none" {
				n.st.mu.Lock()
				n.st.failures++
				n.st.user = conn.User()
				n.st.mu.Unlock()
			}
		}
		n.mu.Lock()
		n.link.writeJSON(psAuthLog, r)
		n.mu.Unlock()
	}
	if len(monitorKex) > 0 {
		methods := maps.Clone(sc.KeyExchangeMethods)
		if methods == nil {
			methods = map[string]gossh.KeyExchangeMethod{}
		}
		for _, k := range monitorKex {
			methods[k.Name] = &monitorKexMethod{n: n, name: k.Name, hash: k.Hash}
			if !slices.Contains(sc.KeyExchanges, k.Name) {
				sc.KeyExchanges = append(slices.Clone(sc.KeyExchanges), k.Name)
			}
		}
		sc.KeyExchangeMethods = methods
	}
	sc.AuthenticatedHandoff = n.handoff
}

// handoff gives the transport to the monitor (privsep.go): exported, in a
// psTransport frame, after which this process has nothing left to do; or,
// when it cannot be exported, by relaying the connection protocol between
// the transport and the monitor until either end closes.
func (n *netSide) handoff(conn gossh.ConnMetadata, _ *gossh.Permissions, t gossh.PacketConn) error {
	n.st.mu.Lock()
	n.st.authed = true
	n.st.mu.Unlock()
	if n.st.grace != nil {
		n.st.grace.Stop()
	}
	state, err := gossh.ExportTransport(t)
	if err == nil {
		body := marshalTransport(psTransportMsg{In: n.st.bytes.in.Load(), Out: n.st.bytes.out.Load(), State: state})
		state.Zero()
		n.mu.Lock()
		err = n.link.write(psTransport, body)
		n.mu.Unlock()
		clear(body)
		if err != nil {
			return fmt.Errorf("monitor: %w", err)
		}
		n.handedOver = true
		return nil
	}
	n.s.log.Debug("transport not exported; relaying its packets to the monitor", "conn", n.st.id, "reason", err)
	n.mu.Lock()
	err = n.link.write(psHandoff, nil)
	n.mu.Unlock()
	if err != nil {
		t.Close()
		return fmt.Errorf("monitor: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			p, err := t.ReadPacket()
			if err != nil {
				// The client went away: the monitor's log line gets the
				// bytes on the wire.
				n.link.writeJSON(psBytes, psBytesMsg{In: n.st.bytes.in.Load(), Out: n.st.bytes.out.Load()})
				n.link.c.Close()
				return
			}
			if err := n.link.write(psPacket, p); err != nil {
				t.Close()
				return
			}
		}
	}()
	relay := relayPackets{l: n.link}
	for {
		p, err := relay.ReadPacket()
		if err != nil {
			t.Close()
			break
		}
		if err := t.WritePacket(p); err != nil {
			n.link.c.Close()
			break
		}
	}
	<-done
	return nil
}

// hostSigners are the monitor's host keys as signers that ask it.
func (n *netSide) hostSigners(keys []psHostKey) ([]gossh.Signer, error) {
	var out []gossh.Signer
	for i, k := range keys {
		pub, err := gossh.ParsePublicKey(k.Public)
		if err != nil {
			return nil, fmt.Errorf("host key %d from the monitor: %w", i, err)
		}
		var sg gossh.Signer = &monitorSigner{n: n, index: i, pub: pub}
		if k.Algos != nil {
			if sg, err = gossh.NewSignerWithAlgorithms(sg.(gossh.AlgorithmSigner), k.Algos); err != nil {
				return nil, fmt.Errorf("host key %d: %w", i, err)
			}
		}
		out = append(out, sg)
	}
	return out, nil
}

// monitorSigner signs with a host key the monitor holds.
type monitorSigner struct {
	n     *netSide
	index int
	pub   gossh.PublicKey
}

func (m *monitorSigner) PublicKey() gossh.PublicKey { return m.pub }

func (m *monitorSigner) Sign(r io.Reader, data []byte) (*gossh.Signature, error) {
	return m.SignWithAlgorithm(r, data, "")
}

func (m *monitorSigner) SignWithAlgorithm(_ io.Reader, data []byte, algo string) (*gossh.Signature, error) {
	a, err := m.n.keyCall(psSign, psSignReq{Index: m.index, Algo: algo, Data: data})
	if err != nil {
		return nil, err
	}
	if !a.OK || a.Sig == nil {
		return nil, fmt.Errorf("monitor refused to sign: %s", a.Err)
	}
	return a.Sig, nil
}

// monitorKexMethod is a key exchange whose server side the monitor
// computes (McTiny's: the cookie keys stay there).
type monitorKexMethod struct {
	n    *netSide
	name string
	hash crypto.Hash
}

func (k *monitorKexMethod) Hash() crypto.Hash { return k.hash }

func (k *monitorKexMethod) NewClient(io.Reader) (gossh.KeyExchangeClient, error) {
	return nil, errors.New("pqsshd-auth: a monitor key exchange has no client side")
}

func (k *monitorKexMethod) Respond(_ io.Reader, clientPublic []byte) ([]byte, []byte, error) {
	a, err := k.n.keyCall(psKex, psKexReq{Name: k.name, Client: clientPublic})
	if err != nil {
		return nil, nil, err
	}
	if !a.OK {
		return nil, nil, errors.New(a.Err)
	}
	return a.Reply, a.Secret, nil
}
