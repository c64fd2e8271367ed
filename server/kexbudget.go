package server

import (
	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"log/slog"
	"slices"
	"sync"

	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/server/config"
)

// The memory budget for unauthenticated key exchanges
// (UnauthenticatedKexMemory, docs/sshd-options.md).
//
// A Classic McEliece key exchange makes the client send a packet of about
// 1 MiB (SSH_MSG_KEX_ECDH_INIT with a 1,044,992-byte public key), which
// x/crypto/ssh reads into a buffer of the declared packet length as soon
// as the 4-byte length has arrived, copies once more when the packet is
// complete, and the KEM copies the public key again: a server that lets
// anyone start such an exchange holds about 3 MiB per unauthenticated
// connection for as long as the client takes to send the packet (up to
// LoginGraceTime). pqsshd therefore admits large key exchanges against a
// budget:
//
//   - When a connection's server KEXINIT is built, the large methods are
//     offered only if the budget, and the share of it the connection's
//     source address block may hold (PerSourceKexMemory), have room for
//     the largest. Otherwise they are left out of that connection's
//     KEXINIT (the client falls back to a small method, or — offering only
//     large ones — gets the usual "no common algorithm" failure) and one
//     line is logged.
//   - The cost is reserved only when the client's KEXINIT selects a large
//     method (read by the gate before x/crypto sees it): connections that
//     never send a KEXINIT hold nothing. If the budget filled up in
//     between, the connection is closed with a log line.
//   - A kexGate between the socket and x/crypto/ssh reads the cleartext
//     start of the stream (RFC 4253 sections 4.2 and 6, up to the client's
//     first SSH_MSG_NEWKEYS) and refuses, before x/crypto sees its length,
//     any packet longer than smallPacketLimit on a connection without a
//     reservation: a client cannot bypass the budget by sending a large
//     packet that is not a key-exchange message.
//   - The reservation is given back when the initial key exchange ends
//     (the client's NEWKEYS: the buffers are garbage from then on), on
//     authentication and on close, whichever comes first.
//
// Packets after the first NEWKEYS are encrypted and the gate cannot read
// them; until authentication x/crypto bounds them itself
// (ServerConfig.PreAuthMaxPacket, PreAuthRekeyKeyExchanges: boundPreAuth),
// and bounds every KEXINIT, the first and each rekey, before splitting its
// name-lists (gossh.MaxKexInitSize, MaxNameListSize, MaxNameListNames).
// Every connection before authentication therefore holds a bounded amount
// of memory besides its reservation (measured in
// TestKexMemoryHostileProcessRSS), and MaxStartups bounds their number
// (docs/sshd-options.md, "Unauthenticated key-exchange memory").

// smallPacketLimit is the largest packet_length accepted from a client in
// the cleartext phase without a reservation: RFC 4253 section 6.1's
// 35000-byte total packet size, which every implementation must accept
// and every small key exchange fits (mlkem768x25519-sha256's client
// message is 1,216 bytes, sntrup761x25519-sha512's 1,190).
const smallPacketLimit = 35000

// largePacketLimit is x/crypto/ssh's maxPacket in pqssh's fork (1 MiB):
// the largest packet_length a connection with a reservation may send.
const largePacketLimit = 1 << 20

// packetOverhead bounds the bytes an SSH_MSG_KEX_ECDH_INIT adds to the
// client's public value: packet_length, padding_length, message number,
// the string length and at most 255 bytes of padding.
const packetOverhead = 4 + 1 + 1 + 4 + 255

// kexCost is the memory a key exchange named name may hold before
// authentication, and whether it is large (needs more than
// smallPacketLimit bytes in one packet). Only pqssh's hybrid methods (kex
// package) are known; any other method is taken to be small, and the
// gate still refuses its packets beyond smallPacketLimit.
func kexCost(name string) (cost int64, large bool) {
	h, ok := kex.Lookup(name)
	if !ok {
		return 0, false
	}
	n := max(h.ClientInitSize(), h.ServerReplySize()) + packetOverhead
	if n <= smallPacketLimit {
		return 0, false
	}
	// Three copies at the peak: x/crypto's packet buffer, its copy of the
	// complete packet (transport.readPacket) and the KEM's copy of the
	// public key (UnmarshalBinaryPublicKey).
	return 3 * int64(n), true
}

// kexLedger is where a connection's gate reserves key-exchange memory:
// the server-wide kexBudget in the process that accepted the connection,
// or, in a per-connection process (procmodel.go), the listener's budget
// reached over the process's control socket.
type kexLedger interface {
	// exhausted reports which limit leaves no room for n more bytes from
	// source: "" if both have room, else the option's name.
	exhausted(source string, n int64) string
	// reserve takes n bytes for source if both limits have room.
	reserve(source string, n int64) bool
	// release gives back n bytes reserved for source.
	release(source string, n int64)
}

// kexBudget is the server-wide count of memory reserved by unauthenticated
// key exchanges against UnauthenticatedKexMemory, and per source address
// block (PerSourceNetBlockSize) against PerSourceKexMemory.
type kexBudget struct {
	mu        sync.Mutex
	limit     int64 // bytes; config.NoKexBudget: no limit
	perSource int64 // bytes per source block; config.NoKexBudget: no limit
	used      int64
	peak      int64
	bySource  map[string]int64
}

func newKexBudget(limit int64) *kexBudget {
	return &kexBudget{limit: limit, perSource: config.NoKexBudget, bySource: map[string]int64{}}
}

// setLimit applies a reloaded configuration; reservations in flight stay.
func (b *kexBudget) setLimit(limit int64) {
	b.mu.Lock()
	b.limit = limit
	b.mu.Unlock()
}

// setPerSource applies PerSourceKexMemory.
func (b *kexBudget) setPerSource(limit int64) {
	b.mu.Lock()
	b.perSource = limit
	b.mu.Unlock()
}

// exhausted reports which limit leaves no room for n more bytes from
// source: "" if both have room, else the option's name.
func (b *kexBudget) exhausted(source string, n int64) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.exhaustedLocked(source, n)
}

func (b *kexBudget) exhaustedLocked(source string, n int64) string {
	switch {
	case b.limit != config.NoKexBudget && b.used+n > b.limit:
		return "UnauthenticatedKexMemory"
	case b.perSource != config.NoKexBudget && b.bySource[source]+n > b.perSource:
		return "PerSourceKexMemory"
	}
	return ""
}

// reserve takes n bytes for source if both limits have room.
func (b *kexBudget) reserve(source string, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.exhaustedLocked(source, n) != "" {
		return false
	}
	b.used += n
	b.bySource[source] += n
	b.peak = max(b.peak, b.used)
	return true
}

func (b *kexBudget) release(source string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used = max(b.used-n, 0)
	if left := b.bySource[source] - n; left > 0 {
		b.bySource[source] = left
	} else {
		delete(b.bySource, source)
	}
}

// KexMemory reports the memory reserved now by unauthenticated key
// exchanges, the most reserved at once since the server started, and the
// UnauthenticatedKexMemory limit in force (config.NoKexBudget: none).
func (s *Server) KexMemory() (used, peak, limit int64) {
	b := s.kexBudget
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak, b.limit
}

// admitKex decides a new connection's key-exchange offer against the
// budget: it returns the KeyExchanges to announce (the large methods
// removed when the budget, or the source's share of it, has no room for
// the largest now) and whether to refuse the connection (no method left
// to offer). Nothing is reserved yet: the gate reserves when the client's
// KEXINIT selects a large method, so that connections that never send one
// (idle, slow loris) hold nothing.
func (s *Server) admitKex(g *kexGate, offered []string, log *slog.Logger) (names []string, refuse bool) {
	var cost int64
	for _, n := range offered {
		if c, large := kexCost(n); large {
			cost = max(cost, c)
		}
	}
	g.start(offered)
	if cost == 0 {
		return offered, false
	}
	full := g.budget.exhausted(g.source, cost)
	if full == "" {
		return offered, false
	}
	names = slices.DeleteFunc(slices.Clone(offered), func(n string) bool {
		_, large := kexCost(n)
		return large
	})
	g.start(names)
	var args []any
	switch b, local := g.budget.(*kexBudget); {
	case !local:
		// The listener holds the budget (and logs its state).
		args = []any{"limit", full}
	case full == "PerSourceKexMemory":
		args = []any{"source", g.source, "reserved_by_source", b.sourceUsed(g.source), "persourcekexmemory", s.Config().PerSourceKexMemory}
	default:
		used, _, limit := s.KexMemory()
		args = []any{"reserved", used, "unauthenticatedkexmemory", limit}
	}
	if len(names) == 0 {
		log.Info("refusing connection: "+full+" exhausted and only large key exchanges are configured", args...)
		return nil, true
	}
	log.Info(full+" exhausted: not offering large key exchanges on this connection", append(args, "need", cost)...)
	return names, false
}

// sourceUsed is the memory reserved now by connections from source.
func (b *kexBudget) sourceUsed(source string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bySource[source]
}

// boundPreAuth bounds what a client can make the server hold after the
// first key exchange and before authentication, where the gate no longer
// reads the (encrypted) stream: packets of at most smallPacketLimit bytes,
// and a rekey in that phase offers only the small key exchanges, whose
// messages fit (if none is configured, a client selecting a large one is
// cut by the packet limit). A large key exchange before authentication is
// thus only ever the first one, admitted against the budget.
func boundPreAuth(sc *gossh.ServerConfig) {
	sc.PreAuthMaxPacket = smallPacketLimit
	sc.PreAuthRekeyKeyExchanges = slices.DeleteFunc(slices.Clone(sc.KeyExchanges), func(n string) bool {
		_, large := kexCost(n)
		return large
	})
}

// budgetedServerConfig is the ServerConfigCallback: the configuration of
// serverConfig (with the SetConfigHook hook's additions, which are
// budgeted too), its key exchanges admitted against the budget.
func (s *Server) budgetedServerConfig(st *connState, _ glssh.Context) *gossh.ServerConfig {
	if st.resume != nil {
		// A privilege-separation monitor after the hand-over: only the
		// connection protocol runs here (privsep.go).
		return &gossh.ServerConfig{Config: gossh.Config{ChannelMaxPacket: channelMaxPacket}, Resume: st.resume}
	}
	sc := s.serverConfig(st)
	s.sandboxKex(sc)
	boundPreAuth(sc)
	if st.gate == nil {
		return sc
	}
	names, refuse := s.admitKex(st.gate, sc.KeyExchanges, s.log.With("conn", st.id, "peer", st.peer))
	if refuse {
		st.gate.refuse()
		return sc
	}
	sc.KeyExchanges = names
	return sc
}
