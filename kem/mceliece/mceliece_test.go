package mceliece

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"sync"
	"testing"

	"github.com/cloudflare/circl/kem"
	"github.com/pqssh/pqssh/internal/nistdrbg"
)

func drbg(b byte) *nistdrbg.DRBG {
	seed := make([]byte, 48)
	for i := range seed {
		seed[i] = b + byte(i)
	}
	return nistdrbg.New(seed)
}

var (
	testKeyOnce sync.Once
	testPK      kem.PublicKey
	testSK      kem.PrivateKey
)

// testKey is one "f" key pair shared by the tests (key generation is the
// slow part of the scheme).
func testKey(t testing.TB) (kem.PublicKey, kem.PrivateKey) {
	testKeyOnce.Do(func() {
		var err error
		testPK, testSK, err = fScheme.GenerateKeyPairFrom(drbg(7))
		if err != nil {
			t.Fatal(err)
		}
	})
	return testPK, testSK
}

func TestSizes(t *testing.T) {
	for _, s := range []kem.Scheme{Scheme(), PlainScheme()} {
		if s.PublicKeySize() != 1044992 || s.PrivateKeySize() != 13932 ||
			s.CiphertextSize() != 208 || s.SharedKeySize() != 32 {
			t.Fatalf("%s: sizes %d %d %d %d", s.Name(), s.PublicKeySize(), s.PrivateKeySize(), s.CiphertextSize(), s.SharedKeySize())
		}
	}
	if Rows != 1664 || RowBytes != 628 || K != 5024 || PublicKeySize != Rows*RowBytes {
		t.Fatalf("layout constants: Rows %d RowBytes %d K %d", Rows, RowBytes, K)
	}
}

func TestRoundTripAndCrossScheme(t *testing.T) {
	pk, sk := testKey(t)
	for i := 0; i < 3; i++ {
		ct, ss, err := PlainScheme().Encapsulate(pk)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Scheme().Decapsulate(sk, ct)
		if err != nil || !bytes.Equal(got, ss) {
			t.Fatalf("decapsulated %x (%v), want %x", got, err, ss)
		}
	}
}

func TestPlainKeysDecapsulate(t *testing.T) {
	pk, sk, err := plainScheme.GenerateKeyPairFrom(drbg(9))
	if err != nil {
		t.Fatal(err)
	}
	skb, _ := sk.MarshalBinary()
	if c := binary.LittleEndian.Uint64(skb[32:40]); c != 0xFFFFFFFF {
		t.Fatalf("plain key has pivots %#x, want 0xffffffff", c)
	}
	ct, ss, err := Scheme().Encapsulate(pk)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Scheme().Decapsulate(sk, ct); err != nil || !bytes.Equal(got, ss) {
		t.Fatalf("decapsulated %x (%v), want %x", got, err, ss)
	}
}

func TestImplicitRejection(t *testing.T) {
	pk, sk := testKey(t)
	ct, ss, err := Scheme().Encapsulate(pk)
	if err != nil {
		t.Fatal(err)
	}
	skb, _ := sk.MarshalBinary()
	for _, bit := range []int{0, 100, 1663} {
		bad := bytes.Clone(ct)
		bad[bit/8] ^= 1 << (bit % 8)
		got, err := Scheme().Decapsulate(sk, bad)
		if err != nil {
			t.Fatal(err)
		}
		want := hashKey(0, skb[PrivateKeySize-N/8:], bad)
		if !bytes.Equal(got, want) || bytes.Equal(got, ss) {
			t.Fatalf("bit %d: got %x, want rejection key %x", bit, got, want)
		}
	}
}

func TestWrongLengths(t *testing.T) {
	pk, sk := testKey(t)
	s := Scheme()
	for _, n := range []int{0, 1, CiphertextSize - 1, CiphertextSize + 1} {
		if _, err := s.Decapsulate(sk, make([]byte, n)); !errors.Is(err, kem.ErrCiphertextSize) {
			t.Errorf("ciphertext of %d bytes: err %v", n, err)
		}
	}
	if _, err := s.UnmarshalBinaryPublicKey(make([]byte, PublicKeySize-1)); !errors.Is(err, kem.ErrPubKeySize) {
		t.Errorf("short public key: %v", err)
	}
	if _, err := s.UnmarshalBinaryPrivateKey(make([]byte, PrivateKeySize+1)); !errors.Is(err, kem.ErrPrivKeySize) {
		t.Errorf("long private key: %v", err)
	}
	pkb, _ := pk.MarshalBinary()
	if _, err := Encode(pkb[1:], make([]byte, N/8)); err == nil {
		t.Error("Encode accepted a short public key")
	}
	if _, err := Encode(pkb, make([]byte, N/8-1)); err == nil {
		t.Error("Encode accepted a short error vector")
	}
}

func TestParsedKeys(t *testing.T) {
	pk, sk := testKey(t)
	pkb, _ := pk.MarshalBinary()
	skb, _ := sk.MarshalBinary()
	pk2, err := Scheme().UnmarshalBinaryPublicKey(pkb)
	if err != nil || !pk2.Equal(pk) {
		t.Fatalf("public key round trip: %v", err)
	}
	sk2, err := Scheme().UnmarshalBinaryPrivateKey(skb)
	if err != nil || !sk2.Equal(sk) {
		t.Fatalf("private key round trip: %v", err)
	}
	if p := sk2.Public(); p == nil || !p.Equal(pk) {
		t.Fatal("Public() of a parsed key differs from the generated public key")
	}
	ct, ss, err := Scheme().Encapsulate(pk2)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := Scheme().Decapsulate(sk2, ct); !bytes.Equal(got, ss) {
		t.Fatal("parsed key does not decapsulate")
	}
	// A private key whose seed does not match has no public key.
	skb[5] ^= 1
	sk3, _ := Scheme().UnmarshalBinaryPrivateKey(skb)
	if sk3.Public() != nil {
		t.Fatal("Public() of a tampered key is not nil")
	}
}

// TestMcTinyAPI checks the exported pieces against Encapsulate/Decapsulate:
// FixedWeight gives weight T, Encode(pk, e) is the ciphertext and
// SessionKey(e, C) the key the private key recovers.
func TestMcTinyAPI(t *testing.T) {
	pk, sk := testKey(t)
	pkb, _ := pk.MarshalBinary()
	r := drbg(3)
	e, err := FixedWeight(r)
	if err != nil {
		t.Fatal(err)
	}
	w := 0
	for _, b := range e {
		w += bits.OnesCount8(b)
	}
	if len(e) != N/8 || w != T {
		t.Fatalf("FixedWeight: %d bytes, weight %d", len(e), w)
	}
	c, err := Encode(pkb, e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Scheme().Decapsulate(sk, c)
	if err != nil || !bytes.Equal(got, SessionKey(e, c)) {
		t.Fatalf("Decapsulate(Encode(e)) = %x, SessionKey = %x", got, SessionKey(e, c))
	}
	// Same randomness through EncapsulateFrom gives the same ciphertext.
	ct2, ss2, err := EncapsulateFrom(pk, drbg(3))
	if err != nil || !bytes.Equal(ct2, c) || !bytes.Equal(ss2, SessionKey(e, c)) {
		t.Fatal("EncapsulateFrom differs from FixedWeight+Encode+SessionKey")
	}
	// Encode is linear: H(e1+e2) = He1 + He2 (and He for a unit vector
	// e_i, i < Rows, is the i-th column of the identity).
	unit := make([]byte, N/8)
	unit[1] = 0x04 // e_10
	cu, _ := Encode(pkb, unit)
	want := make([]byte, CiphertextSize)
	want[1] = 0x04
	if !bytes.Equal(cu, want) {
		t.Fatalf("He_10 = %x", cu)
	}
}

func TestControlBitsRoundTrip(t *testing.T) {
	r := drbg(11)
	for w := 4; w <= M; w++ { // layers are whole bytes from n = 16 on
		n := 1 << w
		vals := make([]uint64, n)
		var b [4]byte
		for i := range vals {
			r.Read(b[:])
			vals[i] = uint64(binary.LittleEndian.Uint32(b[:]))<<31 | uint64(i)
		}
		sortUint64(vals)
		pi := make([]uint16, n)
		for i := range pi {
			pi[i] = uint16(vals[i] & (1<<31 - 1))
		}
		cb := controlBits(pi, w)
		p := make([]uint16, n)
		for i := range p {
			p[i] = uint16(i)
		}
		applyBenes(p, cb, w)
		if !slicesEqual(p, pi) {
			t.Fatalf("w=%d: Beneš network does not realise the permutation", w)
		}
	}
}

func slicesEqual(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestEncodeKernels compares the vectorised Encode with the generic one on
// random matrices and error vectors (not only weight T: McTiny's pieces
// rely on linearity).
func TestEncodeKernels(t *testing.T) {
	r := drbg(71)
	pk := make([]byte, PublicKeySize)
	r.Read(pk)
	for it := 0; it < 4; it++ {
		e := make([]byte, N/8)
		r.Read(e)
		c1 := make([]byte, CiphertextSize)
		c2 := make([]byte, CiphertextSize)
		encode(c1, pk, e)
		encodeGeneric(c2, pk, e)
		if !bytes.Equal(c1, c2) {
			t.Fatalf("iteration %d: encode kernels differ", it)
		}
	}
}
