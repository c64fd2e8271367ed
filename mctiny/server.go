package mctiny

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/subtle"
	"fmt"
	stdhash "hash"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/poly1305"
	"golang.org/x/crypto/salsa20/salsa"
)

// Server is a stateless McTiny server: it answers each query from the
// query alone, its long-term Classic McEliece key pair and its cookie keys.
// It keeps nothing per client, so its memory is fixed whatever the number
// of clients.
type Server struct {
	keys   *CookieKeys
	lt     *longTermKey
	log    *slog.Logger
	rand   io.Reader
	pool   chan *worker // scratch for Handle
	nwork  int
	stats  serverStats
	logInt time.Duration
	puz    *puzzles // nil: no puzzles
}

// ServerConfig holds optional settings of NewServer.
type ServerConfig struct {
	// Logger receives the periodic summary of dropped packets and key
	// events; nil means slog.Default().
	Logger *slog.Logger
	// Workers is the number of packet-handling goroutines of Serve and of
	// scratch areas for Handle; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// LogInterval is how often Serve logs a summary of dropped packets
	// (one line per interval, only when packets were dropped); 0 means 1
	// minute.
	LogInterval time.Duration
	// Puzzles sets when phase-0 queries are answered with a client puzzle
	// (draft-pqssh-mctiny-ssh-00, section "Client Puzzles"); the zero
	// value never poses puzzles.
	Puzzles PuzzleConfig
	// CookieSecretFile, if set, is a master-secret file from which the
	// cookie keys are derived (fleet mode, cookiesecret.go) instead of the
	// ring in the state directory: servers sharing it and the long-term
	// key accept each other's cookies and puzzle solutions.
	CookieSecretFile string
}

// NewServer loads the server's state from dir: the long-term
// mceliece6688128 key pair (generated and saved on first start) and the
// cookie-key ring. dir is created with mode 0700 if absent; files in it are
// written atomically with mode 0600, and secret files that others can read
// are refused. A Server that replaces another on the same dir (a restart)
// continues its cookie-key chain; the SSH side must use this Server's
// CookieKeys, not a second ring opened on the same dir.
func NewServer(dir string, cfg *ServerConfig) (*Server, error) {
	if dir == "" {
		return nil, fmt.Errorf("mctiny: NewServer needs a state directory")
	}
	if cfg == nil {
		cfg = &ServerConfig{}
	}
	var keys *CookieKeys
	var err error
	if cfg.CookieSecretFile != "" {
		keys, err = OpenCookieKeysFromSecret(cfg.CookieSecretFile, time.Now())
	} else {
		keys, err = OpenCookieKeys(dir, time.Now())
	}
	if err != nil {
		return nil, err
	}
	lt, err := loadOrCreateLongTermKey(dir)
	if err != nil {
		return nil, err
	}
	puz, err := newPuzzles(cfg.Puzzles)
	if err != nil {
		return nil, err
	}
	s := &Server{
		keys:   keys,
		lt:     lt,
		log:    cfg.Logger,
		rand:   rand.Reader,
		nwork:  cfg.Workers,
		logInt: cfg.LogInterval,
		puz:    puz,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.nwork <= 0 {
		s.nwork = runtime.GOMAXPROCS(0)
	}
	if s.logInt <= 0 {
		s.logInt = time.Minute
	}
	s.pool = make(chan *worker, s.nwork)
	for range s.nwork {
		s.pool <- s.newWorker()
	}
	return s, nil
}

// PublicKey returns the server's long-term mceliece6688128 public key
// (1,044,992 bytes), which clients need before an exchange. The caller must
// not modify it.
func (s *Server) PublicKey() []byte { return s.lt.pk }

// CookieKeys returns the server's cookie-key ring, which opens the session
// cookies C_Z (see package sshkex).
func (s *Server) CookieKeys() *CookieKeys { return s.keys }

// worker is the scratch memory of one packet handler; with it, handling a
// packet allocates nothing.
type worker struct {
	sh    sha3.SHAKE
	ev    errorVector
	kem   *decapScratch
	S     [SessionKeySize]byte
	se    [SessionKeySize + SeedSize]byte // S ‖ E from C0
	nonce [NonceSize]byte
	cn    [NonceSize]byte // cookie nonce
	ckey  [KeySize]byte
	cks   [2][cookieSlots][KeySize]byte // phase 2: XSalsa20 subkeys of the C_ij keys per key set and slot
	cctr  [16]byte                      // phase 2: Salsa20 nonce and counter of one C_ij
	have  [2][cookieSlots]bool
	rnd   [NoncePrefixSize + 2]byte
	lanes salsaLanes                           // phase 1: subkeys and short key streams
	subs  [3][32]byte                          // phase 1: XSalsa20 subkeys of K_ij, C_ij, reply
	rn    [NonceSize]byte                      // phase 1: the reply's nonce
	ctr   [16]byte                             // phase 1: Salsa20 nonce ‖ counter of the K_ij box
	ks    [boxScratch]byte                     // key stream and plaintext of boxes (sealBox, openBox)
	ks2   [32 + SessionKeySize + SeedSize]byte // the same for cookies
	msg   [MaxPacketSize]byte
	cb    [CijPlainSize]byte
	ew    [blockWords]uint64
	full  [eWords]uint64
	eb    [ErrorBytes]byte
	z     [SessionKeySize]byte
	sha   stdhash.Hash // puzzle MAC
	pad   [sha256.BlockSize]byte
	np    [PuzzleNonceSize]byte
	rbuf  [512]byte // random bytes for nonces and cookie ids (randomBytes)
	rpos  int
	addr  [16]byte
	set   *ring // the key set that opened C0
	posed bool  // the reply is a puzzle
	wide  bool  // full and eb hold e (phases 0 and 3)
}

func (s *Server) newWorker() *worker {
	return &worker{kem: s.lt.newDecapScratch(), sha: sha256.New()}
}

// wipe erases the secrets a handler leaves in w.
func (w *worker) wipe() {
	clear(w.S[:])
	clear(w.se[:])
	clear(w.ckey[:])
	if w.have != [2][cookieSlots]bool{} { // phase 2 derived C_ij keys
		for i := range w.cks {
			for j := range w.cks[i] {
				clear(w.cks[i][j][:])
			}
		}
		w.have = [2][cookieSlots]bool{}
	}
	w.lanes.wipe()
	clear(w.subs[:])
	clear(w.ks[:])
	clear(w.ks2[:])
	clear(w.msg[:])
	clear(w.cb[:])
	clear(w.ew[:])
	if w.wide { // phases 0 and 3 expanded all of e
		clear(w.full[:])
		clear(w.eb[:])
		w.wide = false
	}
	clear(w.z[:])
	clear(w.pad[:])
	w.sha.Reset()
	w.set = nil
	w.ev.wipe()
}

// Handle answers one McTiny query pkt received at time now, appending the
// reply to dst[:0]. It returns ok = false, and no reply, for any packet
// that is not a valid query: wrong length, wrong nonce position, unknown
// server key, failed authentication, expired cookie. Such packets are only
// counted (see Serve for the periodic log line).
//
// Handle keeps no state between calls and, when cap(dst) is at least
// MaxPacketSize, allocates nothing. It is safe for concurrent use by up to
// ServerConfig.Workers goroutines at a time (more wait for a scratch area).
// When an interval ends, one call rotates the cookie keys (and writes the
// state file).
func (s *Server) Handle(dst, pkt []byte, now time.Time) (reply []byte, ok bool) {
	return s.HandleFrom(dst, pkt, netip.Addr{}, now)
}

// HandleFrom is Handle for a query that came from the IP address from,
// which client puzzles are bound to (the zero Addr when unknown).
func (s *Server) HandleFrom(dst, pkt []byte, from netip.Addr, now time.Time) (reply []byte, ok bool) {
	w := <-s.pool
	defer func() { s.pool <- w }()
	return s.handle(w, dst, pkt, from, now)
}

func (s *Server) handle(w *worker, dst, pkt []byte, from netip.Addr, now time.Time) ([]byte, bool) {
	if err := s.keys.tryRotate(now); err != nil {
		// Rare (once per interval at most): the old keys stay in use.
		s.log.Error("mctiny: rotating cookie keys", "err", err)
	}
	r := s.keys.load()
	var reply []byte
	var why drop
	var phase int
	switch len(pkt) {
	case Q0Size:
		reply, why = s.phase0(w, r, dst[:0], pkt, from, now)
	case Q1Size:
		phase = 1
		reply, why = s.phase1(w, r, dst[:0], pkt)
	case Q2Size:
		phase = 2
		reply, why = s.phase2(w, r, dst[:0], pkt)
	case Q3Size:
		phase = 3
		reply, why = s.phase3(w, r, dst[:0], pkt)
	default:
		why = dropLength
	}
	posed := w.posed
	w.posed = false
	w.wipe()
	if why != dropNone {
		s.stats.drops[why].Add(1)
		return nil, false
	}
	if !posed {
		s.stats.replies[phase].Add(1)
	}
	return reply, true
}

// Reasons for dropping a packet.
type drop int

const (
	dropNone           drop = iota
	dropLength              // not the length of any query
	dropNonce               // position bytes out of range for the phase
	dropKey                 // phase 0 for another server key
	dropAuth                // a box or cookie failed to open
	dropRand                // the system's randomness failed
	dropPuzzleInvalid       // a puzzle solution that is not the server's z'
	dropPuzzleExpired       // a puzzle solution older than the previous interval
	dropPuzzleReplayed      // a puzzle solution used before
	numDrops
)

var dropNames = [numDrops]string{"", "length", "nonce", "server_key", "auth", "rand",
	"puzzle_invalid", "puzzle_expired", "puzzle_replayed"}

type serverStats struct {
	drops   [numDrops]atomic.Uint64
	replies [4]atomic.Uint64
}

// Stats are cumulative packet counts of a Server.
type Stats struct {
	Replies [4]uint64         // valid queries answered, per phase
	Dropped map[string]uint64 // invalid packets dropped, per reason
	Puzzles PuzzleStats
}

// Stats returns the server's cumulative packet counts.
func (s *Server) Stats() Stats {
	st := Stats{Dropped: map[string]uint64{}}
	for i := range st.Replies {
		st.Replies[i] = s.stats.replies[i].Load()
	}
	for d := dropLength; d < numDrops; d++ {
		st.Dropped[dropNames[d]] = s.stats.drops[d].Load()
	}
	if p := s.puz; p != nil {
		st.Puzzles = PuzzleStats{
			Enabled: true,
			Bits:    int(p.w.Load()),
			Load:    math.Float64frombits(p.load.Load()),
			Posed:   p.posed.Load(),
			Solved:  p.solved.Load(),
		}
		for d := dropPuzzleInvalid; d <= dropPuzzleReplayed; d++ {
			st.Puzzles.Failed += s.stats.drops[d].Load()
		}
	}
	return st
}

// random fills w.rnd (a reply's nonce prefix and two bytes for cookie
// ids, all of which go out in clear) from the worker's random buffer.
func (s *Server) random(w *worker) bool {
	return s.randomBytes(w, w.rnd[:])
}

// randomBytes fills out from a per-worker buffer that is refilled from
// s.rand 512 bytes at a time (one system call per 21 replies instead of
// one per reply), used from the end and erased as it is used. Only values
// that the server sends in clear come from it; secrets (the seed E) are
// read from s.rand directly.
func (s *Server) randomBytes(w *worker, out []byte) bool {
	if w.rpos < len(out) {
		clear(w.rbuf[:w.rpos])
		if _, err := io.ReadFull(s.rand, w.rbuf[:]); err != nil {
			clear(w.rbuf[:])
			w.rpos = 0
			return false
		}
		w.rpos = len(w.rbuf)
	}
	w.rpos -= len(out)
	copy(out, w.rbuf[w.rpos:w.rpos+len(out)])
	clear(w.rbuf[w.rpos : w.rpos+len(out)])
	return true
}

// openC0 opens the cookie C0 with nonce N‖1‖0 into w.se (S ‖ E) and copies
// S into w.S.
// A cookie made under a previous master secret (r.alt) opens too; w.set
// records which key set opened it.
func openC0(w *worker, r *ring, c0, N []byte) bool {
	setNonce(&w.cn, N, 1, 0)
	for k := r; k != nil; k = k.alt {
		out, ok := openBox(w.ks2[:], c0[:C0Size-1], &w.cn, &k.hs[c0[C0Size-1]&7])
		if ok && len(out) == len(w.se) {
			copy(w.se[:], out)
			copy(w.S[:], w.se[:SessionKeySize])
			w.set = k
			return true
		}
	}
	return false
}

// appendC0 appends C0 under the newest cookie key: the client's own copy
// if it is already under that key, else a re-encryption of S ‖ E (same
// nonce N‖1‖0, same plaintext) under it.
func appendC0(w *worker, r *ring, dst, c0, N []byte, random byte) []byte {
	cur := r.current()
	if c0 != nil && int(c0[C0Size-1]&7) == cur && w.set == r {
		return append(dst, c0...)
	}
	setNonce(&w.cn, N, 1, 0)
	dst = sealBox(dst, w.ks2[:], w.se[:], &w.cn, &r.hs[cur])
	return append(dst, cookieID(cur, random))
}

// finish seals msg under S with nonce w.nonce into dst and appends the nonce.
func finish(w *worker, dst, msg []byte) []byte {
	dst = sealBox(dst, w.ks[:], msg, &w.nonce, &w.S)
	return append(dst, w.nonce[:]...)
}

// phase0: tag ‖ box_S(512 zero bytes) ‖ hash(pk) ‖ ct ‖ R‖0‖0, or with a
// puzzle solution tag ‖ box_S(464 zero bytes) ‖ n' ‖ z' ‖ hash(pk) ‖ ct ‖
// R‖0‖1. While the server is loaded, a query without a solution is
// answered with a puzzle (puzzle.go) and costs no decapsulation.
func (s *Server) phase0(w *worker, r *ring, dst, pkt []byte, from netip.Addr, now time.Time) ([]byte, drop) {
	nonce := pkt[Q0Size-NonceSize:]
	if nonce[22] != 0 || nonce[23] > n23Solved {
		return nil, dropNonce
	}
	solved := nonce[23] == n23Solved
	box := pkt[:TagSize+ExtensionSize]
	if solved {
		box = pkt[:TagSize+solvedExtensionSize]
	}
	hpk := pkt[TagSize+ExtensionSize : TagSize+ExtensionSize+HashSize]
	ct := pkt[TagSize+ExtensionSize+HashSize : Q0Size-NonceSize]
	if !bytes.Equal(hpk, s.lt.pkHash[:]) {
		return nil, dropKey
	}
	if p := s.puz; p != nil {
		p.arrivals.Add(1)
		p.tick(now)
		if solved {
			if why := s.verifySolution(w, r, pkt, from); why != dropNone {
				return nil, why
			}
		} else if bits := p.w.Load(); bits > 0 {
			w.posed = true
			return s.posePuzzle(w, r, dst, pkt, from, bits)
		}
		p.decaps.Add(1)
	} else if solved {
		return nil, dropPuzzleInvalid
	}
	if !s.lt.decapsulate(w.kem, &w.S, ct) {
		return nil, dropAuth
	}
	copy(w.nonce[:], nonce)
	// The extension field is reserved: clients send zeros, servers ignore it.
	if _, ok := openBox(w.ks[:], box, &w.nonce, &w.S); !ok {
		return nil, dropAuth
	}
	// Draw a seed E whose error vector has weight t.
	E := w.se[SessionKeySize:]
	valid := false
	for range 64 {
		if _, err := io.ReadFull(s.rand, E); err != nil {
			return nil, dropRand
		}
		w.ev.expand(E)
		w.wide = true
		if w.ev.full(&w.full) == mceT {
			valid = true
			break
		}
	}
	if !valid || !s.random(w) {
		return nil, dropRand
	}
	copy(w.se[:SessionKeySize], w.S[:])
	N := w.rnd[:NoncePrefixSize]
	msg := appendC0(w, r, w.msg[:0], nil, N, w.rnd[22])
	setNonce(&w.nonce, N, 1, 0)
	return finish(w, dst, msg), dropNone
}

// phase1: tag ‖ box_S(K_ij ; N‖2(i-1)‖64+j-1) ‖ C0 ‖ N‖2(i-1)‖64+j-1.
//
// The three boxes of a phase-1 query (K_ij from the client, C_ij and the
// reply from the server) have independent keys and nonces once C0 is
// open, so their XSalsa20 subkeys come from one salsaLanes call, and the
// key stream of C_ij, of the reply and of the K_ij box's last two blocks
// from a second; only the first 16 blocks of the K_ij box's stream are
// generated apart.
func (s *Server) phase1(w *worker, r *ring, dst, pkt []byte) ([]byte, drop) {
	nonce := pkt[Q1Size-NonceSize:]
	n22, n23 := int(nonce[22]), int(nonce[23])
	if n22&1 != 0 || n22/2 >= RowBlocks || n23 < n23Phase1 || n23 >= n23Phase1+ColBlocks {
		return nil, dropNonce
	}
	i, j := n22/2, n23-n23Phase1 // 0-based
	N := nonce[:NoncePrefixSize]
	c0 := pkt[Q1Size-NonceSize-C0Size : Q1Size-NonceSize]
	if !openC0(w, r, c0, N) {
		return nil, dropAuth
	}
	if !s.random(w) {
		return nil, dropRand
	}
	copy(w.nonce[:], nonce)
	cur := r.current()
	cijKey(&w.sh, &w.ckey, r, cur, w.S[:])
	setNonce(&w.cn, N, byte(2*i+1), byte(n23Phase1+j))
	setNonce(&w.rn, w.rnd[:NoncePrefixSize], byte(2*i+1), byte(n23Phase1+j))
	l := &w.lanes
	l.set(0, &w.S, w.nonce[:16])
	l.set(1, &w.ckey, w.cn[:16])
	l.set(2, &w.S, w.rn[:16])
	l.hsalsa(3)
	for k := range w.subs {
		w.subs[k] = *l.subkey(k)
	}
	const bulk = 1024 // K_ij box stream from its own call: blocks 0-15
	l.setBlock(0, &w.subs[0], w.nonce[16:], bulk/64)
	l.setBlock(1, &w.subs[0], w.nonce[16:], bulk/64+1)
	l.setBlock(2, &w.subs[1], w.cn[16:], 0)
	for k := range 3 {
		l.setBlock(3+k, &w.subs[2], w.rn[16:], uint64(k))
	}
	l.blocks(6)

	// Open the K_ij box: its key stream over 32 zero bytes (the Poly1305
	// key) and the ciphertext.
	box := pkt[:TagSize+BlockBytes]
	buf := w.ks[:32+BlockBytes]
	clear(buf[:32])
	copy(buf[32:], box[TagSize:])
	copy(w.ctr[:8], w.nonce[16:])
	salsaXOR(buf[:bulk], buf[:bulk], &w.ctr, &w.subs[0])
	subtle.XORBytes(buf[bulk:], buf[bulk:], l.lanes(0, 2))
	if !poly1305.Verify((*[TagSize]byte)(box[:TagSize]), box[TagSize:], (*[32]byte)(buf[:32])) {
		return nil, dropAuth
	}
	block := buf[32:]

	w.ev.expand(w.se[SessionKeySize:])
	w.ev.bitsOf(w.ew[:], uint64(Rows+j*X), uint64(min(X, Cols-j*X)))
	c := blockProduct(block, &w.ew)
	msg := appendC0(w, r, w.msg[:0], c0, N, w.rnd[22])
	w.cb[0], w.cb[1] = byte(c), byte(c>>8)
	msg = sealWithStream(msg, w.cb[:], l.lane(2))
	msg = append(msg, cookieID(cur, w.rnd[23]))
	dst = sealWithStream(dst, msg, l.lanes(3, 6))
	return append(dst, w.rn[:]...), dropNone
}

// phase2: tag ‖ box_S(C_{i,1..l} for the V rows of piece p) ‖ C0 ‖
// N‖2(p-1)‖96.
func (s *Server) phase2(w *worker, r *ring, dst, pkt []byte) ([]byte, drop) {
	nonce := pkt[Q2Size-NonceSize:]
	n22 := int(nonce[22])
	if n22&1 != 0 || n22/2 >= Pieces || nonce[23] != n23Phase2 {
		return nil, dropNonce
	}
	p := n22 / 2
	N := nonce[:NoncePrefixSize]
	c0 := pkt[Q2Size-NonceSize-C0Size : Q2Size-NonceSize]
	if !openC0(w, r, c0, N) {
		return nil, dropAuth
	}
	copy(w.nonce[:], nonce)
	cookies, ok := openBox(w.ks[:], pkt[:TagSize+V*ColBlocks*CijSize], &w.nonce, &w.S)
	if !ok {
		return nil, dropAuth
	}
	w.have = [2][cookieSlots]bool{}
	var acc [2]uint64
	// Every C_ij nonce starts with N[:16], so XSalsa20's subkey
	// HSalsa20(key, N[:16]) is one per C_ij key: w.cks holds it per key set
	// and slot, and only the Salsa20 nonce differs per cookie. The l = 8
	// cookies of a row are opened with one salsaLanes call.
	l := &w.lanes
	for q := range V {
		i := p*V + q
		row := cookies[q*ColBlocks*CijSize:][:ColBlocks*CijSize]
		for j := range ColBlocks {
			ck := row[j*CijSize:][:CijSize]
			slot := int(ck[CijSize-1] & 7)
			w.cijSubkey(r, 0, slot, N)
			copy(w.cctr[:NoncePrefixSize-16], N[16:])
			w.cctr[6], w.cctr[7] = byte(2*i+1), byte(n23Phase1+j)
			l.setBlock(j, &w.cks[0][slot], w.cctr[:8], 0)
		}
		l.blocks(ColBlocks)
		for j := range ColBlocks {
			ck := row[j*CijSize:][:CijSize]
			ks := l.lane(j)
			ct := ck[TagSize : CijSize-1]
			var c uint64
			if poly1305.Verify((*[TagSize]byte)(ck[:TagSize]), ct, (*[32]byte)(ks[:32])) {
				c = uint64(ct[0]^ks[32]) | uint64(ct[1]^ks[33])<<8
			} else if out, ok := w.openCijAlt(r, ck, N, i, j); ok {
				// Made under the previous master secret (fleet rotation).
				c = uint64(out[0]) | uint64(out[1])<<8
			} else {
				return nil, dropAuth
			}
			pieceAdd(&acc, c&(1<<Y-1), q)
		}
	}
	// Add the identity part of e for the piece's rows.
	start := p * PieceBits
	width := min(PieceBits, Rows-start)
	w.ev.expand(w.se[SessionKeySize:])
	w.ev.bitsOf(w.ew[:2], uint64(start), uint64(width))
	acc[0] ^= w.ew[0]
	acc[1] ^= w.ew[1]
	if width < 64 {
		acc[0] &= 1<<width - 1
		acc[1] = 0
	} else {
		acc[1] &= 1<<(width-64) - 1
	}
	if !s.random(w) {
		return nil, dropRand
	}
	msg := appendC0(w, r, w.msg[:0], c0, N, w.rnd[22])
	putLE64(msg[len(msg):len(msg)+8], acc[0])
	putLE64(msg[len(msg)+8:len(msg)+PieceBytes], acc[1])
	msg = msg[:len(msg)+PieceBytes]
	setNonce(&w.nonce, w.rnd[:NoncePrefixSize], byte(2*p+1), n23Phase2)
	return finish(w, dst, msg), dropNone
}

// cijSubkey makes sure w.cks[set][slot] holds the XSalsa20 subkey
// HSalsa20(hash(s_slot ‖ S), N[:16]) of C_ij cookies under key set set
// (0: r, 1: r.alt).
func (w *worker) cijSubkey(r *ring, set, slot int, N []byte) {
	if w.have[set][slot] {
		return
	}
	k := r
	if set == 1 {
		k = r.alt
	}
	cijKey(&w.sh, &w.ckey, k, slot, w.S[:])
	salsa.HSalsa20(&w.cks[set][slot], (*[16]byte)(N[:16]), &w.ckey, &salsa.Sigma)
	w.have[set][slot] = true
}

// openCijAlt opens the cookie C_ij (0-based i, j) under the previous
// master secret's keys, if the ring has them.
func (w *worker) openCijAlt(r *ring, ck, N []byte, i, j int) ([]byte, bool) {
	if r.alt == nil {
		return nil, false
	}
	slot := int(ck[CijSize-1] & 7)
	w.cijSubkey(r, 1, slot, N)
	copy(w.cctr[:NoncePrefixSize-16], N[16:])
	w.cctr[6], w.cctr[7] = byte(2*i+1), byte(n23Phase1+j)
	clear(w.cctr[8:])
	out, ok := openBoxSub(w.ks2[:], ck[:CijSize-1], &w.cctr, &w.cks[1][slot])
	if !ok || len(out) != CijPlainSize {
		return nil, false
	}
	return out, true
}

// phase3: tag ‖ box_S(He) ‖ C0 ‖ N‖254‖255.
func (s *Server) phase3(w *worker, r *ring, dst, pkt []byte) ([]byte, drop) {
	nonce := pkt[Q3Size-NonceSize:]
	if nonce[22] != n22Q3 || nonce[23] != n23Phase3 {
		return nil, dropNonce
	}
	N := nonce[:NoncePrefixSize]
	c0 := pkt[Q3Size-NonceSize-C0Size : Q3Size-NonceSize]
	if !openC0(w, r, c0, N) {
		return nil, dropAuth
	}
	copy(w.nonce[:], nonce)
	C, ok := openBox(w.ks[:], pkt[:TagSize+CiphertextSize], &w.nonce, &w.S)
	if !ok {
		return nil, dropAuth
	}
	w.ev.expand(w.se[SessionKeySize:])
	w.wide = true
	if w.ev.full(&w.full) != mceT {
		return nil, dropAuth // impossible for a seed this server chose
	}
	errorBytes(&w.eb, &w.full)
	// Z = SHAKE256(1 ‖ e ‖ C)[:32], the Classic McEliece session key of the
	// ciphertext C = He (round 4, no confirmation hash).
	w.sh.Reset()
	w.sh.Write(sessionKeyPrefix)
	w.sh.Write(w.eb[:])
	w.sh.Write(C)
	w.sh.Read(w.z[:])
	if !s.random(w) {
		return nil, dropRand
	}
	cur := r.current()
	setNonce(&w.nonce, w.rnd[:NoncePrefixSize], n22R3, n23Phase3)
	msg := sealBox(w.msg[:0], w.ks2[:], w.z[:], &w.nonce, &r.hs[cur])
	msg = append(msg, cookieID(cur, w.rnd[22]))
	msg = append(msg, C...)
	return finish(w, dst, msg), dropNone
}

// sessionKeyPrefix is the byte 1 that Classic McEliece hashes before e and
// C to make the session key.
var sessionKeyPrefix = []byte{1}
