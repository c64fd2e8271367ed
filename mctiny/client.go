package mctiny

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha3"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Result is what a client holds after a McTiny exchange.
type Result struct {
	// Z is the session key, the Classic McEliece session key of the
	// client's one-time key pair.
	Z [SessionKeySize]byte
	// Cookie is C_Z, from which the server recovers Z, and Nonce its
	// nonce M‖255‖255. Both are public; together they are valid for 7 to
	// 8 minutes after the exchange.
	Cookie [CZSize]byte
	Nonce  [NonceSize]byte
	// Stats describes the exchange.
	Stats ExchangeStats
}

// Wipe erases Z.
func (r *Result) Wipe() { clear(r.Z[:]) }

// ExchangeStats are the counts and times of one exchange.
type ExchangeStats struct {
	PacketsSent, PacketsReceived int
	BytesSent, BytesReceived     int // UDP payload bytes
	Retransmissions              int
	RetransmittedBytes           int           // part of BytesSent
	MaxDatagram                  int           // the largest UDP payload sent or received
	IgnoredBytes                 int           // part of BytesReceived: duplicates, strays, forgeries
	KeyGen                       time.Duration // one-time key generation
	Total                        time.Duration // the whole exchange
	SmoothedRTT                  time.Duration
	Puzzles                      int           // puzzles solved before phase 0 was answered
	PuzzleBits                   int           // difficulty of the last puzzle
	PuzzleTime                   time.Duration // time spent solving puzzles
}

// ClientConfig holds optional settings of Exchange.
type ClientConfig struct {
	// MaxWindow bounds the number of queries in flight; 0 means 64 (about
	// 80 kB of phase-1 queries, within a default Linux socket buffer).
	MaxWindow int
	// InitialRTO is the retransmission timeout before any round trip is
	// measured (and always for phase 0, whose reply costs the server a
	// decapsulation); 0 means 1 second.
	InitialRTO time.Duration
	// MinRTO bounds the measured retransmission timeout from below; 0
	// means 25 ms.
	MinRTO time.Duration
	// MaxTries is how often one query is sent before the exchange fails;
	// 0 means 10 (with exponential backoff, about 30 s at the 1 s initial
	// timeout).
	MaxTries int
	// Phase0Tries, if positive, is how often the phase-0 query is sent
	// before the exchange fails with ErrNoReply. A server that does not
	// hold the private key for serverPK drops phase 0 silently, so a
	// caller that can then check the key another way (pqssh asks over
	// SSH) gives up on phase 0 sooner than on the other phases. 0 means
	// MaxTries.
	Phase0Tries int
	// OneTimeKey, if set, is used instead of a freshly generated one-time
	// key pair. Reusing a one-time key across exchanges forfeits key
	// erasure; this exists for load tests only.
	OneTimeKey *OneTimeKey
	// MaxPuzzleBits is the hardest puzzle (difficulty w, on average
	// 2^(w-1) SHA-256 computations) the client solves; a harder one ends
	// the exchange with ErrPuzzleTooHard. 0 means 26.
	MaxPuzzleBits int
}

// ErrPuzzleTooHard is returned when phase 0 went unanswered after the
// server demanded a puzzle harder than ClientConfig.MaxPuzzleBits (such a
// puzzle is ignored, since a forged one must not end the exchange).
var ErrPuzzleTooHard = errors.New("mctiny: server demands a puzzle harder than MaxPuzzleBits")

// maxPuzzlesPerExchange bounds how many puzzles one exchange solves.
const maxPuzzlesPerExchange = 8

// ErrNoReply is wrapped by the error of an exchange whose query went
// unanswered MaxTries times.
var ErrNoReply = errors.New("mctiny: server does not answer")

// ErrNoPhase0Reply is wrapped (with ErrNoReply) by the error of an
// exchange whose phase-0 query went unanswered: the server is down,
// unreachable, or does not hold the private key of the serverPK given to
// Exchange (it drops such queries silently).
var ErrNoPhase0Reply = fmt.Errorf("%w to phase 0", ErrNoReply)

// ErrServerMismatch is returned when a reply is inconsistent with the
// exchange so far (the server echoed a ciphertext other than the one the
// pieces add up to).
var ErrServerMismatch = errors.New("mctiny: inconsistent reply from server")

// Query indices: 0 is phase 0, then the r*l phase-1 blocks row-major, the
// pieces, and phase 3.
const (
	qPhase0 = 0
	qPhase1 = 1
	qPhase2 = qPhase1 + RowBlocks*ColBlocks
	qPhase3 = qPhase2 + Pieces
)

type qstate uint8

const (
	qWaiting qstate = iota
	qReady
	qInflight
	qDone
)

type query struct {
	state    qstate
	tries    int
	sentAt   time.Time
	deadline time.Time
	box      []byte // frozen encrypted part (phases 2 and 3)
}

type client struct {
	cfg    ClientConfig
	conn   net.PacketConn
	server net.Addr
	start  time.Time

	S  [SessionKeySize]byte
	N  [NoncePrefixSize]byte
	C0 [C0Size]byte
	q0 []byte // the phase-0 packet to send: q0plain or q0solved
	R  [NoncePrefixSize]byte

	q0plain     []byte
	q0solved    []byte
	refusedBits int // difficulty of a puzzle too hard to solve, if any
	ctx         context.Context

	key      *OneTimeKey
	pk       []byte // T, row-major
	cij      [RowBlocks * ColBlocks][CijSize]byte
	rowsDone [RowBlocks]int
	syndrome [Pieces * PieceBytes]byte
	he       [CiphertextSize]byte
	piecesIn int

	qs       [Queries]query
	ready    []int // phase-1 queries ready to send, in order
	urgent   []int // phase-0/2/3 queries ready to send
	inflight []int

	cwnd, ssthresh float64
	srtt, rttvar   time.Duration
	rto            time.Duration
	nextSend       time.Time

	nonce   [NonceSize]byte
	buf     [MaxPacketSize]byte
	plain   [MaxPacketSize]byte
	stats   ExchangeStats
	lastLen int
	res     *Result
}

// Exchange runs McTiny as a client over conn with the server at server,
// whose long-term mceliece6688128 public key is serverPK (the caller must
// have authenticated it, for instance by its pinned fingerprint). conn is
// used exclusively by Exchange until it returns; packets from other
// addresses are ignored. Exchange returns when the session key is
// established, when ctx is done, or when a query went unanswered too often.
//
// The client pipelines: it sends phase-1 blocks as soon as the one-time key
// exists, a phase-2 query as soon as the cookies of its rows are in, and
// retransmits each unanswered query on its own timer, keeping a congestion
// window of queries in flight and pacing sends over the measured round
// trip.
func Exchange(ctx context.Context, conn net.PacketConn, server net.Addr, serverPK []byte, cfg *ClientConfig) (*Result, error) {
	if len(serverPK) != PublicKeySize {
		return nil, fmt.Errorf("mctiny: server public key is %d bytes, want %d", len(serverPK), PublicKeySize)
	}
	c := &client{conn: conn, server: server, start: time.Now(), res: new(Result), ctx: ctx}
	if cfg != nil {
		c.cfg = *cfg
	}
	if c.cfg.MaxWindow <= 0 {
		c.cfg.MaxWindow = 64
	}
	if c.cfg.InitialRTO <= 0 {
		c.cfg.InitialRTO = time.Second
	}
	if c.cfg.MinRTO <= 0 {
		c.cfg.MinRTO = 25 * time.Millisecond
	}
	if c.cfg.MaxTries <= 0 {
		c.cfg.MaxTries = 10
	}
	if c.cfg.MaxPuzzleBits <= 0 {
		c.cfg.MaxPuzzleBits = 26
	}
	c.cwnd, c.ssthresh = 16, float64(c.cfg.MaxWindow)
	c.rto = c.cfg.InitialRTO
	defer c.wipe()

	if err := c.buildQ0(serverPK); err != nil {
		return nil, err
	}

	// Generate the one-time key while phase 0 runs.
	type keyResult struct {
		k   *OneTimeKey
		d   time.Duration
		err error
	}
	keyc := make(chan keyResult, 1)
	keyTaken := false
	if c.cfg.OneTimeKey != nil {
		keyc <- keyResult{k: c.cfg.OneTimeKey}
	} else {
		go func() {
			t0 := time.Now()
			k, err := GenerateOneTimeKey()
			keyc <- keyResult{k, time.Since(t0), err}
		}()
		defer func() {
			if !keyTaken {
				// Exchange ended before the key was ready: erase it
				// when it is.
				go func() {
					if r := <-keyc; r.k != nil {
						r.k.Wipe()
					}
				}()
			}
		}()
	}

	// The reader. It is gone when Exchange returns, so that conn can be
	// reused for another exchange.
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("mctiny: %w", err)
	}
	rctx, stop := context.WithCancel(ctx)
	pkts := make(chan []byte, 256)
	rerr := make(chan error, 1)
	var reader sync.WaitGroup
	reader.Go(func() { c.read(rctx, pkts, rerr) })
	defer func() {
		stop()
		conn.SetReadDeadline(time.Now())
		reader.Wait()
		conn.SetReadDeadline(time.Time{})
	}()

	c.qs[qPhase0].state = qReady
	c.urgent = append(c.urgent, qPhase0)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	haveKey := false
	for {
		now := time.Now()
		if err := c.retransmit(now); err != nil {
			return nil, err
		}
		if err := c.send(now); err != nil {
			return nil, err
		}
		timer.Reset(c.wake(now))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("mctiny: exchange with %v: %w (%s)", server, ctx.Err(), c.progress())
		case err := <-rerr:
			return nil, fmt.Errorf("mctiny: reading from %v: %w", server, err)
		case kr := <-keyc:
			keyTaken = true
			if kr.err != nil {
				return nil, kr.err
			}
			haveKey = true
			c.key, c.stats.KeyGen = kr.k, kr.d
			c.pk = kr.k.pk
			if c.qs[qPhase0].state == qDone {
				c.startPhase1()
			}
		case pkt := <-pkts:
			done, err := c.receive(pkt, time.Now(), haveKey)
			if err != nil {
				return nil, err
			}
			if done {
				c.stats.Total = time.Since(c.start)
				c.stats.SmoothedRTT = c.srtt
				c.res.Stats = c.stats
				return c.res, nil
			}
		case <-timer.C:
		}
	}
}

// buildQ0 encapsulates to the server's long-term key and builds the
// phase-0 query tag ‖ box_S(512 zero bytes ; R‖0‖0) ‖ hash(pk_S) ‖ ct ‖ R‖0‖0.
func (c *client) buildQ0(serverPK []byte) error {
	ct, err := encapsulate(&c.S, serverPK)
	if err != nil {
		return err
	}
	if _, err := rand.Read(c.R[:]); err != nil {
		return err
	}
	setNonce(&c.nonce, c.R[:], 0, 0)
	q := make([]byte, 0, Q0Size)
	q = seal(q, make([]byte, ExtensionSize), &c.nonce, &c.S)
	var hpk [HashSize]byte
	var sh sha3.SHAKE
	hash(&sh, &hpk, serverPK, nil)
	q = append(q, hpk[:]...)
	q = append(q, ct...)
	q = append(q, c.nonce[:]...)
	c.q0, c.q0plain = q, q
	return nil
}

func (c *client) wipe() {
	clear(c.S[:])
	clear(c.plain[:])
	// A one-time key we generated dies with the exchange; one passed in
	// ClientConfig belongs to the caller.
	if c.key != nil && c.cfg.OneTimeKey == nil {
		c.key.Wipe()
	}
}

func (c *client) progress() string {
	done := 0
	for i := range c.qs {
		if c.qs[i].state == qDone {
			done++
		}
	}
	return fmt.Sprintf("%d of %d queries answered", done, Queries)
}

func (c *client) read(ctx context.Context, pkts chan<- []byte, rerr chan<- error) {
	buf := make([]byte, MaxPacketSize+1)
	for {
		n, addr, err := c.conn.ReadFrom(buf)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			rerr <- err
			return
		}
		if !sameAddr(addr, c.server) || n > MaxPacketSize {
			continue
		}
		p := bytes.Clone(buf[:n])
		select {
		case pkts <- p:
		case <-ctx.Done():
			return
		}
	}
}

// wake returns how long to sleep until the next retransmission deadline or
// pacing slot.
func (c *client) wake(now time.Time) time.Duration {
	d := time.Hour
	for _, q := range c.inflight {
		d = min(d, c.qs[q].deadline.Sub(now))
	}
	if len(c.ready)+len(c.urgent) > 0 && len(c.inflight) < int(c.cwnd) {
		d = min(d, c.nextSend.Sub(now))
	}
	return max(d, 0)
}

// retransmit resends every query whose timer expired.
func (c *client) retransmit(now time.Time) error {
	lost := false
	for _, q := range c.inflight {
		qs := &c.qs[q]
		if now.Before(qs.deadline) {
			continue
		}
		limit := c.cfg.MaxTries
		if q == qPhase0 && c.cfg.Phase0Tries > 0 {
			limit = c.cfg.Phase0Tries
		}
		if qs.tries >= limit {
			if q == qPhase0 && c.refusedBits > 0 {
				return fmt.Errorf("%w: %d bits, limit %d; %w", ErrPuzzleTooHard, c.refusedBits, c.cfg.MaxPuzzleBits, noReply(q))
			}
			return fmt.Errorf("mctiny: %s query %d unanswered after %d tries (%s): %w",
				phaseName(q), q, qs.tries, c.progress(), noReply(q))
		}
		if q == qPhase0 {
			// The solution may have been used already (its reply lost):
			// ask again without it.
			c.q0 = c.q0plain
		}
		if err := c.transmit(q, now); err != nil {
			return err
		}
		c.stats.Retransmissions++
		c.stats.RetransmittedBytes += c.lastLen
		lost = true
	}
	if lost {
		// Multiplicative decrease, at most once per round trip's worth of
		// timeouts handled together.
		c.ssthresh = max(c.cwnd/2, 2)
		c.cwnd = c.ssthresh
	}
	return nil
}

// send starts new queries while the window and pacing allow.
func (c *client) send(now time.Time) error {
	for len(c.inflight) < int(c.cwnd) && !now.Before(c.nextSend) {
		var q int
		switch {
		case len(c.urgent) > 0:
			q, c.urgent = c.urgent[0], c.urgent[1:]
		case len(c.ready) > 0:
			q, c.ready = c.ready[0], c.ready[1:]
		default:
			return nil
		}
		if err := c.transmit(q, now); err != nil {
			return err
		}
		c.inflight = append(c.inflight, q)
		// Pace at cwnd packets per smoothed round trip, allowing a burst
		// of four.
		if c.srtt > 0 {
			gap := time.Duration(float64(c.srtt) / c.cwnd)
			c.nextSend = later(c.nextSend, now.Add(-4*gap)).Add(gap)
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func noReply(q int) error {
	if q == qPhase0 {
		return ErrNoPhase0Reply
	}
	return ErrNoReply
}

func phaseName(q int) string {
	switch {
	case q == qPhase0:
		return "phase-0"
	case q < qPhase2:
		return "phase-1"
	case q < qPhase3:
		return "phase-2"
	}
	return "phase-3"
}

// transmit builds and sends query q and arms its timer.
func (c *client) transmit(q int, now time.Time) error {
	pkt := c.packet(q)
	if _, err := c.conn.WriteTo(pkt, c.server); err != nil {
		return fmt.Errorf("mctiny: sending to %v: %w", c.server, err)
	}
	qs := &c.qs[q]
	qs.state = qInflight
	qs.tries++
	qs.sentAt = now
	rto := c.rto
	if q == qPhase0 && c.srtt == 0 {
		rto = c.cfg.InitialRTO
	}
	qs.deadline = now.Add(min(rto<<(qs.tries-1), 30*time.Second))
	c.stats.PacketsSent++
	c.stats.BytesSent += len(pkt)
	c.stats.MaxDatagram = max(c.stats.MaxDatagram, len(pkt))
	c.lastLen = len(pkt)
	return nil
}

// packet builds query q in c.buf.
func (c *client) packet(q int) []byte {
	if q == qPhase0 {
		return c.q0
	}
	out := c.buf[:0]
	switch {
	case q < qPhase2:
		i, j := (q-qPhase1)/ColBlocks, (q-qPhase1)%ColBlocks
		extractBlock(c.plain[:], c.pk, i, j)
		setNonce(&c.nonce, c.N[:], byte(2*i), byte(n23Phase1+j))
		out = seal(out, c.plain[:BlockBytes], &c.nonce, &c.S)
	case q < qPhase3:
		p := q - qPhase2
		setNonce(&c.nonce, c.N[:], byte(2*p), n23Phase2)
		if c.qs[q].box == nil {
			// Freeze the plaintext: the same nonce and key must never
			// encrypt two different cookie lists.
			msg := c.plain[:0]
			for r := p * V; r < (p+1)*V; r++ {
				for j := range ColBlocks {
					msg = append(msg, c.cij[r*ColBlocks+j][:]...)
				}
			}
			c.qs[q].box = seal(nil, msg, &c.nonce, &c.S)
		}
		out = append(out, c.qs[q].box...)
	default:
		setNonce(&c.nonce, c.N[:], n22Q3, n23Phase3)
		if c.qs[q].box == nil {
			c.qs[q].box = seal(nil, c.he[:], &c.nonce, &c.S)
		}
		out = append(out, c.qs[q].box...)
	}
	out = append(out, c.C0[:]...)
	return append(out, c.nonce[:]...)
}

func (c *client) startPhase1() {
	for q := qPhase1; q < qPhase2; q++ {
		c.qs[q].state = qReady
		c.ready = append(c.ready, q)
	}
}

// receive processes one datagram; it reports whether the exchange is done.
func (c *client) receive(pkt []byte, now time.Time, haveKey bool) (bool, error) {
	c.stats.PacketsReceived++
	c.stats.BytesReceived += len(pkt)
	c.stats.MaxDatagram = max(c.stats.MaxDatagram, len(pkt))
	accepted := false
	defer func() {
		if !accepted {
			c.stats.IgnoredBytes += len(pkt)
		}
	}()
	if len(pkt) < NonceSize {
		return false, nil
	}
	if len(pkt) == P0Size && pkt[P0Size-2] == 1 && pkt[P0Size-1] == n23Solved {
		ok, err := c.puzzle(pkt)
		accepted = ok
		return false, err
	}
	n := pkt[len(pkt)-NonceSize:]
	n22, n23 := int(n[22]), int(n[23])
	var q, want int
	switch {
	case n22 == 1 && n23 == 0:
		q, want = qPhase0, R0Size
	case n22 == n22R3 && n23 == n23Phase3:
		q, want = qPhase3, R3Size
	case n22&1 == 1 && n23 >= n23Phase1 && n23 < n23Phase1+ColBlocks && n22/2 < RowBlocks:
		q, want = qPhase1+(n22/2)*ColBlocks+n23-n23Phase1, R1Size
	case n22&1 == 1 && n23 == n23Phase2 && n22/2 < Pieces:
		q, want = qPhase2+n22/2, R2Size
	default:
		return false, nil
	}
	if len(pkt) != want || c.qs[q].state != qInflight {
		return false, nil // malformed, or a duplicate answer
	}
	copy(c.nonce[:], n)
	msg, ok := open(c.plain[:0], pkt[:len(pkt)-NonceSize], &c.nonce, &c.S)
	if !ok {
		return false, nil // forged
	}
	accepted = true
	qs := &c.qs[q]
	if qs.tries == 1 && q != qPhase0 {
		c.sampleRTT(now.Sub(qs.sentAt))
	}
	qs.state = qDone
	qs.box = nil
	for k, f := range c.inflight {
		if f == q {
			c.inflight = append(c.inflight[:k], c.inflight[k+1:]...)
			break
		}
	}
	if c.cwnd < c.ssthresh {
		c.cwnd++
	} else {
		c.cwnd += 1 / c.cwnd
	}
	c.cwnd = min(c.cwnd, float64(c.cfg.MaxWindow))

	switch {
	case q == qPhase0:
		copy(c.C0[:], msg)
		copy(c.N[:], n[:NoncePrefixSize])
		if haveKey {
			c.startPhase1()
		}
	case q < qPhase2:
		copy(c.C0[:], msg[:C0Size])
		k := q - qPhase1
		copy(c.cij[k][:], msg[C0Size:])
		i := k / ColBlocks
		c.rowsDone[i]++
		p := i / V
		if c.rowsDone[i] == ColBlocks && c.pieceReady(p) {
			c.qs[qPhase2+p].state = qReady
			c.urgent = append(c.urgent, qPhase2+p)
		}
	case q < qPhase3:
		copy(c.C0[:], msg[:C0Size])
		p := q - qPhase2
		copy(c.syndrome[p*PieceBytes:], msg[C0Size:])
		c.piecesIn++
		if c.piecesIn == Pieces {
			c.assembleSyndrome()
			c.qs[qPhase3].state = qReady
			c.urgent = append(c.urgent, qPhase3)
		}
	default:
		C := msg[CZSize:]
		if subtle.ConstantTimeCompare(C, c.he[:]) != 1 {
			return false, fmt.Errorf("%w: phase-3 ciphertext differs from the syndrome", ErrServerMismatch)
		}
		if err := c.key.decapsulate(&c.res.Z, C); err != nil {
			return false, err
		}
		copy(c.res.Cookie[:], msg[:CZSize])
		copy(c.res.Nonce[:], n)
		return true, nil
	}
	return false, nil
}

// puzzle solves the puzzle P0 of a loaded server (draft-pqssh-mctiny-ssh-00,
// section "Client Puzzles") and queues phase 0 again with the solution. A
// puzzle that does not echo our R, or arrives when phase 0 is not in
// flight, is ignored.
func (c *client) puzzle(pkt []byte) (bool, error) {
	z, err := ParsePuzzle(pkt)
	if err != nil || z.Prefix != c.R || c.qs[qPhase0].state != qInflight {
		return false, nil
	}
	if z.Bits > c.cfg.MaxPuzzleBits {
		// Not solved; if phase 0 then fails, the error says why.
		c.refusedBits = z.Bits
		return false, nil
	}
	if c.stats.Puzzles >= maxPuzzlesPerExchange {
		return false, fmt.Errorf("mctiny: server posed %d puzzles without answering phase 0: %w", c.stats.Puzzles, noReply(qPhase0))
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	t0 := time.Now()
	sol, err := z.Solve(ctx)
	c.stats.PuzzleTime += time.Since(t0)
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("mctiny: solving a %d-bit puzzle: %w", z.Bits, ctx.Err())
		}
		return false, nil // not the server's puzzle
	}
	c.stats.Puzzles++
	c.stats.PuzzleBits = z.Bits
	// Q0' = box_S(464 zero bytes ; R‖0‖1) ‖ n' ‖ z' ‖ hash(pk_S) ‖ ct ‖ R‖0‖1
	setNonce(&c.nonce, c.R[:], 0, n23Solved)
	q := c.q0solved[:0]
	if q == nil {
		q = make([]byte, 0, Q0Size)
	}
	q = seal(q, make([]byte, solvedExtensionSize), &c.nonce, &c.S)
	q = append(q, z.Nonce[:]...)
	q = append(q, sol[:]...)
	q = append(q, c.q0plain[TagSize+ExtensionSize:Q0Size-NonceSize]...)
	q = append(q, c.nonce[:]...)
	c.q0solved = q
	c.q0 = q
	// Send at once, with a fresh count of tries.
	for k, f := range c.inflight {
		if f == qPhase0 {
			c.inflight = append(c.inflight[:k], c.inflight[k+1:]...)
			break
		}
	}
	c.qs[qPhase0].state = qReady
	c.qs[qPhase0].tries = 0
	c.urgent = append([]int{qPhase0}, c.urgent...)
	return true, nil
}

func (c *client) pieceReady(p int) bool {
	for i := p * V; i < min((p+1)*V, RowBlocks); i++ {
		if c.rowsDone[i] != ColBlocks {
			return false
		}
	}
	return true
}

// assembleSyndrome concatenates the pieces (PieceBits each) into He.
func (c *client) assembleSyndrome() {
	clear(c.he[:])
	for p := range Pieces {
		for b := range PieceBits {
			row := p*PieceBits + b
			if row >= Rows {
				break
			}
			bit := c.syndrome[p*PieceBytes+b/8] >> (b % 8) & 1
			c.he[row/8] |= bit << (row % 8)
		}
	}
}

// sampleRTT updates the round-trip estimate (RFC 6298).
func (c *client) sampleRTT(r time.Duration) {
	if c.srtt == 0 {
		c.srtt, c.rttvar = r, r/2
	} else {
		d := c.srtt - r
		if d < 0 {
			d = -d
		}
		c.rttvar = (3*c.rttvar + d) / 4
		c.srtt = (7*c.srtt + r) / 8
	}
	c.rto = max(c.srtt+4*c.rttvar, c.cfg.MinRTO)
}

var _ io.Reader = rand.Reader

// sameAddr reports whether a datagram from a came from the server b,
// treating an IPv4-mapped IPv6 address as the IPv4 address.
func sameAddr(a, b net.Addr) bool {
	ua, ok1 := a.(*net.UDPAddr)
	ub, ok2 := b.(*net.UDPAddr)
	if ok1 && ok2 {
		pa, pb := ua.AddrPort(), ub.AddrPort()
		return pa.Addr().Unmap() == pb.Addr().Unmap() && pa.Port() == pb.Port()
	}
	return a.String() == b.String()
}

// NewPhase0Query returns a valid phase-0 query for the server whose
// long-term public key is serverPK, as a client's first packet. It exists
// for load and flood tests, which replay it; an exchange builds its own.
func NewPhase0Query(serverPK []byte) ([]byte, error) {
	if len(serverPK) != PublicKeySize {
		return nil, fmt.Errorf("mctiny: server public key is %d bytes, want %d", len(serverPK), PublicKeySize)
	}
	c := &client{}
	defer clear(c.S[:])
	if err := c.buildQ0(serverPK); err != nil {
		return nil, err
	}
	return c.q0, nil
}
