package kex

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"flag"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"

	"github.com/pqssh/pqssh/kem/sntrup761"
)

// The fuzz targets below feed arbitrary C_INIT values to the server side
// (Respond) and arbitrary S_REPLY values to the client side (Finish) of
// every method in the table, and flip single bits of an honest exchange.
//
// Random bytes almost never have the exact length of a message (1,045,024
// bytes for McEliece), so every case is built from the honest message of a
// fixed exchange: mode 0 uses the fuzzer's bytes as they are, mode 1 writes
// them over the honest message at an offset (right length, arbitrary
// content), mode 2 cuts the honest message short or extends it. The
// committed seeds in testdata/fuzz are therefore a few bytes each.

// fuzzFixture is one method's honest exchange, made deterministically.
type fuzzFixture struct {
	h      *Hybrid
	client *hybridClient // never finished; see freshClient
	cInit  []byte
	reply  []byte
	k      []byte
}

// fuzzServerRand is the server's randomness in every fuzz case, so that a
// failure reproduces and a changed input is the only difference from the
// honest exchange.
func fuzzServerRand() ioReader { return testRand("kex fuzz server") }

// fuzzFixtures holds one fixture per table entry (aliases share the
// construction), in table order. McEliece key generation makes this take
// about a tenth of a second, once per process.
var fuzzFixtures = sync.OnceValues(func() ([]*fuzzFixture, error) {
	var fs []*fuzzFixture
	for i := range methods {
		h, ok := Lookup(methods[i].names[0])
		if !ok {
			return nil, fmt.Errorf("%s not registered", methods[i].names[0])
		}
		c, err := h.NewClient(testRand("kex fuzz client " + h.Name))
		if err != nil {
			return nil, err
		}
		f := &fuzzFixture{h: h, client: c.(*hybridClient), cInit: c.PublicValue()}
		if f.reply, f.k, err = h.Respond(fuzzServerRand(), f.cInit); err != nil {
			return nil, err
		}
		k, err := f.freshClient().Finish(f.reply)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(k, f.k) {
			return nil, fmt.Errorf("%s: honest exchange disagrees", h.Name)
		}
		fs = append(fs, f)
	}
	return fs, nil
})

// fixture returns the fixture a fuzz case selects.
func fixture(t testing.TB, method uint8) *fuzzFixture {
	t.Helper()
	fs, err := fuzzFixtures()
	if err != nil {
		t.Fatal(err)
	}
	return fs[int(method)%len(fs)]
}

// freshClient returns a client in the state NewClient left it in. Finish
// drops its keys after success, so each case gets its own copy; the keys
// themselves are not modified by Finish.
func (f *fuzzFixture) freshClient() *hybridClient {
	c := *f.client
	c.kems = slices.Clone(f.client.kems)
	c.x = cloneECDHKey(f.client.x)
	return &c
}

// cloneECDHKey copies a key pair, so that Finish erasing one copy leaves
// the fixture's intact.
func cloneECDHKey(k ECDHPrivateKey) ECDHPrivateKey {
	switch k := k.(type) {
	case *stdKey:
		c := *k
		return &c
	case *x448Key:
		c := *k
		return &c
	}
	panic(fmt.Sprintf("cloneECDHKey: %T", k))
}

// fuzzInput builds the message under test from a fuzz case (see the
// comment at the top of the file).
func fuzzInput(honest []byte, mode uint8, offset uint32, data []byte) []byte {
	switch mode % 3 {
	case 0:
		return data
	case 1:
		b := bytes.Clone(honest)
		copy(b[int(offset%uint32(len(b))):], data)
		return b
	default:
		if offset&1 == 0 {
			cut := 1 + int(offset>>1)%len(honest)
			return bytes.Clone(honest[:len(honest)-cut])
		}
		if len(data) == 0 {
			data = []byte{0}
		}
		return append(bytes.Clone(honest), data...)
	}
}

// sameUpToMaskedBit reports whether two messages of method h are equal
// once the most significant bit of their trailing X25519 public keys is
// ignored: RFC 7748 section 5 requires X25519 to mask that bit of a
// received u-coordinate, so it cannot change the shared secret. It changes
// H, which covers C_INIT and S_REPLY byte for byte (RFC 4253 section 7.2,
// RFC 5656 section 4). X448 and the NIST curves mask nothing.
func sameUpToMaskedBit(h *Hybrid, a, b []byte) bool {
	if len(a) != len(b) || len(a) == 0 || h.Classical != X25519 {
		return bytes.Equal(a, b)
	}
	n := len(a) - 1
	return bytes.Equal(a[:n], b[:n]) && a[n]&0x7f == b[n]&0x7f
}

// addSizeSeeds adds, for every method, the honest message, truncations by
// one byte and to nothing, a one-byte extension, and right-length messages
// with zeroed and 0xff-filled regions at the start of each part (KEM and
// ECDH). For the NIST curves it adds the point forms RFC 5656 section 4
// and SEC 1 section 3.2.2 tell apart: the point at infinity (0x00), a
// compressed point (0x02, 0x03) and a hybrid one (0x06) where 0x04 belongs,
// and an uncompressed point whose Y is that of another point.
func addSizeSeeds(f *testing.F, parts func(h *Hybrid) []int) {
	fs, err := fuzzFixtures()
	if err != nil {
		f.Fatal(err)
	}
	for i, fx := range fs {
		m := uint8(i)
		f.Add(m, uint8(1), uint32(0), []byte{})     // honest
		f.Add(m, uint8(2), uint32(0), []byte{})     // one byte short
		f.Add(m, uint8(2), uint32(1), []byte{0})    // one byte long
		f.Add(m, uint8(0), uint32(0), []byte{})     // empty
		f.Add(m, uint8(0), uint32(0), []byte{1, 2}) // short
		for _, off := range parts(fx.h) {
			f.Add(m, uint8(1), uint32(off), make([]byte, 32))
			f.Add(m, uint8(1), uint32(off), bytes.Repeat([]byte{0xff}, 32))
		}
		if _, ok := fx.h.Classical.(nist); ok {
			ecdhAt := parts(fx.h)[len(parts(fx.h))-1]
			for _, prefix := range []byte{0, 2, 3, 6} {
				f.Add(m, uint8(1), uint32(ecdhAt), []byte{prefix})
			}
			// Y off by one: not on the curve.
			last := fx.h.Classical.PublicKeySize() - 1
			f.Add(m, uint8(1), uint32(ecdhAt+last), []byte{0x5a})
		}
	}
}

// partOffsets returns the offset of each KEM part and of the X25519 part
// in a message whose KEM parts have the given sizes.
func partOffsets(sizes []int) []int {
	offs, o := []int{}, 0
	for _, s := range sizes {
		offs = append(offs, o)
		o += s
	}
	return append(offs, o)
}

func cInitParts(h *Hybrid) []int {
	var sizes []int
	for _, k := range h.KEMs {
		sizes = append(sizes, k.PublicKeySize())
	}
	return partOffsets(sizes)
}

func replyParts(h *Hybrid) []int {
	var sizes []int
	for _, k := range h.KEMs {
		sizes = append(sizes, k.CiphertextSize())
	}
	return partOffsets(sizes)
}

// FuzzRespond: the server side never panics on any C_INIT; a C_INIT of the
// wrong length is an error; one of the right length is an error or yields
// an S_REPLY of exactly ServerReplySize bytes and a K of the hash's size,
// and the honest C_INIT yields the honest exchange.
func FuzzRespond(f *testing.F) {
	addSizeSeeds(f, cInitParts)
	f.Fuzz(func(t *testing.T, method, mode uint8, offset uint32, data []byte) {
		fx := fixture(t, method)
		h := fx.h
		in := fuzzInput(fx.cInit, mode, offset, data)
		reply, k, err := h.Respond(fuzzServerRand(), in)
		if err != nil {
			if reply != nil || k != nil {
				t.Fatalf("%s: error %v returned with a reply or a secret", h.Name, err)
			}
			if len(in) == h.ClientInitSize() && bytes.Equal(in, fx.cInit) {
				t.Fatalf("%s: honest C_INIT rejected: %v", h.Name, err)
			}
			return
		}
		if len(in) != h.ClientInitSize() {
			t.Fatalf("%s: accepted a %d-byte C_INIT (want %d)", h.Name, len(in), h.ClientInitSize())
		}
		if len(reply) != h.ServerReplySize() || len(k) != h.SecretSize() {
			t.Fatalf("%s: %d-byte S_REPLY (want %d), %d-byte K (want %d)", h.Name, len(reply), h.ServerReplySize(), len(k), h.SecretSize())
		}
		if bytes.Equal(in, fx.cInit) && (!bytes.Equal(reply, fx.reply) || !bytes.Equal(k, fx.k)) {
			t.Fatalf("%s: honest C_INIT gave a different exchange", h.Name)
		}
	})
}

// FuzzFinish: the client side never panics on any S_REPLY; an S_REPLY of
// the wrong length is an error; one of the right length is an error or
// yields a K of the hash's size, which equals the honest K exactly when the
// S_REPLY is the honest one (implicit rejection: a changed ciphertext gives
// an unrelated K rather than an error), up to the masked X25519 bit.
func FuzzFinish(f *testing.F) {
	addSizeSeeds(f, replyParts)
	f.Fuzz(func(t *testing.T, method, mode uint8, offset uint32, data []byte) {
		fx := fixture(t, method)
		h := fx.h
		in := fuzzInput(fx.reply, mode, offset, data)
		k, err := fx.freshClient().Finish(in)
		if err != nil {
			if k != nil {
				t.Fatalf("%s: error %v returned with a secret", h.Name, err)
			}
			if bytes.Equal(in, fx.reply) {
				t.Fatalf("%s: honest S_REPLY rejected: %v", h.Name, err)
			}
			return
		}
		if len(in) != h.ServerReplySize() {
			t.Fatalf("%s: accepted a %d-byte S_REPLY (want %d)", h.Name, len(in), h.ServerReplySize())
		}
		if len(k) != h.SecretSize() {
			t.Fatalf("%s: %d-byte K, want %d", h.Name, len(k), h.SecretSize())
		}
		if bytes.Equal(k, fx.k) != sameUpToMaskedBit(h, in, fx.reply) {
			t.Fatalf("%s: K equal to the honest one: %v; S_REPLY equal to the honest one: %v", h.Name, bytes.Equal(k, fx.k), sameUpToMaskedBit(h, in, fx.reply))
		}
	})
}

// flipSide selects the message a bit flip applies to.
const (
	flipClientX25519 = iota // C_INIT's ECDH key, seen by Respond
	flipServerReply         // any bit of S_REPLY, seen by Finish
	flipSides
)

// checkFlip flips one bit of an honest message and checks that the
// receiving side either fails or computes a K different from the honest
// one. The single exception is the most significant bit of an X25519 key,
// which RFC 7748 section 5 masks: that flip gives the same K (or an error),
// while H, which hashes the messages verbatim, still differs.
func checkFlip(t testing.TB, fx *fuzzFixture, side int, bit int) {
	h := fx.h
	n := h.Classical.PublicKeySize()
	x25519 := h.Classical == X25519
	var (
		in     []byte
		k      []byte
		err    error
		masked bool
	)
	switch side {
	case flipClientX25519:
		in = bytes.Clone(fx.cInit)
		pos := (len(in)-n)*8 + bit%(n*8)
		in[pos/8] ^= 1 << (pos % 8)
		masked = x25519 && pos == len(in)*8-1
		_, k, err = h.Respond(fuzzServerRand(), in)
	case flipServerReply:
		in = bytes.Clone(fx.reply)
		pos := bit % (len(in) * 8)
		in[pos/8] ^= 1 << (pos % 8)
		masked = x25519 && pos == len(in)*8-1
		k, err = fx.freshClient().Finish(in)
	}
	if err != nil {
		return
	}
	if masked {
		if !bytes.Equal(k, fx.k) {
			t.Fatalf("%s side %d bit %d: the masked X25519 bit changed K", h.Name, side, bit)
		}
		return
	}
	if bytes.Equal(k, fx.k) {
		t.Fatalf("%s side %d bit %d: a flipped bit left K unchanged", h.Name, side, bit)
	}
}

// FuzzBitFlip: one flipped bit in C_INIT's ECDH key or anywhere in
// S_REPLY (the KEM ciphertexts and the ECDH key) never leaves K unchanged
// (see checkFlip for the masked bit).
func FuzzBitFlip(f *testing.F) {
	fs, err := fuzzFixtures()
	if err != nil {
		f.Fatal(err)
	}
	for i, fx := range fs {
		for _, off := range replyParts(fx.h) {
			f.Add(uint8(i), uint8(flipServerReply), uint32(off*8))
		}
		f.Add(uint8(i), uint8(flipServerReply), uint32(fx.h.ServerReplySize()*8-1))
		f.Add(uint8(i), uint8(flipClientX25519), uint32(0))
		f.Add(uint8(i), uint8(flipClientX25519), uint32(fx.h.Classical.PublicKeySize()*8-1))
	}
	f.Fuzz(func(t *testing.T, method, side uint8, bit uint32) {
		checkFlip(t, fixture(t, method), int(side)%flipSides, int(bit%(1<<30)))
	})
}

var allBits = flag.Bool("kex.allbits", false, "TestBitFlipChangesK: flip every KEM ciphertext bit (about 15 s)")

// TestBitFlipChangesK runs checkFlip on every bit of both X25519 keys and
// on every 13th bit of the KEM ciphertexts (every 61st with -short, every
// one with -kex.allbits); 13 and 61 are odd, so every bit position within
// a byte is covered.
func TestBitFlipChangesK(t *testing.T) {
	fs, err := fuzzFixtures()
	if err != nil {
		t.Fatal(err)
	}
	stride := 13
	switch {
	case *allBits:
		stride = 1
	case testing.Short():
		stride = 61
	}
	for _, fx := range fs {
		t.Run(fx.h.Name, func(t *testing.T) {
			ecdhBits := fx.h.Classical.PublicKeySize() * 8
			for bit := range ecdhBits {
				checkFlip(t, fx, flipClientX25519, bit)
			}
			n := fx.h.ServerReplySize() * 8
			for bit := 0; bit < n-ecdhBits; bit += stride {
				checkFlip(t, fx, flipServerReply, bit)
			}
			for bit := n - ecdhBits; bit < n; bit++ {
				checkFlip(t, fx, flipServerReply, bit)
			}
		})
	}
}

// TestLowOrderX25519Rejected: every point of order dividing 8 (the
// u-coordinates listed in the X25519 analysis cited by RFC 7748, in their
// 32-byte encodings) makes the shared secret all zero, and both sides
// refuse it.
func TestLowOrderX25519Rejected(t *testing.T) {
	lowOrder := []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	}
	fs, err := fuzzFixtures()
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range fs {
		if fx.h.Classical != X25519 {
			continue
		}
		for _, p := range lowOrder {
			pt, _ := hex.DecodeString(p)
			in := bytes.Clone(fx.cInit)
			copy(in[len(in)-32:], pt)
			if _, _, err := fx.h.Respond(fuzzServerRand(), in); err == nil {
				t.Errorf("%s: server accepted X25519 key %s", fx.h.Name, p)
			}
			in = bytes.Clone(fx.reply)
			copy(in[len(in)-32:], pt)
			if _, err := fx.freshClient().Finish(in); err == nil {
				t.Errorf("%s: client accepted X25519 key %s", fx.h.Name, p)
			}
		}
	}
}

// recordingScheme wraps a KEM and keeps the shared secrets it hands out,
// so that a test can check they were cleared.
type recordingScheme struct {
	kem.Scheme
	secrets *[][]byte
}

func (r recordingScheme) EncapsulateDeterministically(pk kem.PublicKey, seed []byte) ([]byte, []byte, error) {
	ct, ss, err := r.Scheme.EncapsulateDeterministically(pk, seed)
	*r.secrets = append(*r.secrets, ss)
	return ct, ss, err
}

func (r recordingScheme) Decapsulate(sk kem.PrivateKey, ct []byte) ([]byte, error) {
	ss, err := r.Scheme.Decapsulate(sk, ct)
	*r.secrets = append(*r.secrets, ss)
	return ss, err
}

// TestSecretsClearedOnError: when an exchange fails after the KEMs have
// produced their shared secrets (here: a low-order X25519 key from the
// peer), those secrets are zeroed, on the server and on the client.
func TestSecretsClearedOnError(t *testing.T) {
	var secrets [][]byte
	h := &Hybrid{
		Name:      "recording",
		KEMs:      []kem.Scheme{recordingScheme{sntrup761.Scheme(), &secrets}, recordingScheme{mlkem768.Scheme(), &secrets}},
		Classical: X25519,
		Digest:    crypto.SHA512,
	}
	c, err := h.NewClient(testRand("secrets client"))
	if err != nil {
		t.Fatal(err)
	}
	checkCleared := func(side string) {
		t.Helper()
		if len(secrets) != len(h.KEMs) {
			t.Fatalf("%s: %d secrets recorded, want %d", side, len(secrets), len(h.KEMs))
		}
		for i, s := range secrets {
			if len(s) == 0 || !bytes.Equal(s, make([]byte, len(s))) {
				t.Errorf("%s: KEM %d's shared secret %x was not cleared", side, i, s)
			}
		}
		secrets = nil
	}

	in := bytes.Clone(c.PublicValue())
	clear(in[len(in)-32:])
	if _, _, err := h.Respond(testRand("secrets server"), in); err == nil {
		t.Fatal("server accepted an all-zero X25519 key")
	}
	checkCleared("server")

	reply, _, err := h.Respond(testRand("secrets server"), c.PublicValue())
	if err != nil {
		t.Fatal(err)
	}
	secrets = nil
	clear(reply[len(reply)-32:])
	if _, err := c.Finish(reply); err == nil {
		t.Fatal("client accepted an all-zero X25519 key")
	}
	checkCleared("client")
}
