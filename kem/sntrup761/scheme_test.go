package sntrup761

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"

	"github.com/pqssh/pqssh/internal/nistdrbg"
)

func TestSizes(t *testing.T) {
	s := Scheme()
	if s.Name() != "sntrup761" {
		t.Errorf("name %q", s.Name())
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"public key", s.PublicKeySize(), 1158},
		{"private key", s.PrivateKeySize(), 1763},
		{"ciphertext", s.CiphertextSize(), 1039},
		{"shared key", s.SharedKeySize(), 32},
		{"seed", s.SeedSize(), 32},
		{"encapsulation seed", s.EncapsulationSeedSize(), 32},
	} {
		if c.got != c.want {
			t.Errorf("%s size %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	s := Scheme()
	pk, sk, err := s.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	ct, ss, err := s.Encapsulate(pk)
	if err != nil {
		t.Fatal(err)
	}
	if len(ct) != CiphertextSize || len(ss) != SharedKeySize {
		t.Fatalf("ct %d bytes, ss %d bytes", len(ct), len(ss))
	}
	ss2, err := s.Decapsulate(sk, ct)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ss, ss2) {
		t.Fatal("decapsulated secret differs")
	}

	pkb, _ := pk.MarshalBinary()
	skb, _ := sk.MarshalBinary()
	if len(pkb) != PublicKeySize || len(skb) != PrivateKeySize {
		t.Fatalf("pk %d bytes, sk %d bytes", len(pkb), len(skb))
	}
	if !bytes.Equal(skb[skPK:skRho], pkb) {
		t.Error("private key does not embed the public key")
	}
	cache := hashPrefix(4, pkb)
	if !bytes.Equal(skb[skCache:], cache[:]) {
		t.Error("private key does not end with Hash(4, pk)")
	}
	pk2, err := s.UnmarshalBinaryPublicKey(pkb)
	if err != nil {
		t.Fatal(err)
	}
	sk2, err := s.UnmarshalBinaryPrivateKey(skb)
	if err != nil {
		t.Fatal(err)
	}
	if !pk.Equal(pk2) || !sk.Equal(sk2) || !sk.Public().Equal(pk) {
		t.Error("keys differ after a marshal round trip")
	}
	if pk.Scheme() != s || sk.Scheme() != s {
		t.Error("keys report another scheme")
	}
	ss3, err := s.Decapsulate(sk2, ct)
	if err != nil || !bytes.Equal(ss, ss3) {
		t.Errorf("unmarshalled key decapsulates to another secret (%v)", err)
	}

	pk3, sk3, _ := s.GenerateKeyPair()
	if pk.Equal(pk3) || sk.Equal(sk3) {
		t.Error("two generated key pairs are equal")
	}
	ss4, _ := s.Decapsulate(sk3, ct)
	if bytes.Equal(ss, ss4) {
		t.Error("another key decapsulates to the same secret")
	}
}

// TestImplicitRejection checks that a modified ciphertext decapsulates to
// HashSession(0, rho, ct) as the specification requires.
func TestImplicitRejection(t *testing.T) {
	s := Scheme()
	pk, sk, _ := s.GenerateKeyPair()
	ct, ss, _ := s.Encapsulate(pk)
	skb, _ := sk.MarshalBinary()
	for _, pos := range []int{0, 500, roundedBytes - 1, roundedBytes, CiphertextSize - 1} {
		bad := bytes.Clone(ct)
		bad[pos] ^= 0x04
		got, err := s.Decapsulate(sk, bad)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(got, ss) {
			t.Fatalf("flipped byte %d: same secret", pos)
		}
		var rho [smallBytes]byte
		copy(rho[:], skb[skRho:skCache])
		var want [SharedKeySize]byte
		sessionKey(&want, 0, &rho, bad)
		if !bytes.Equal(got, want[:]) {
			t.Errorf("flipped byte %d: secret is not HashSession(0, rho, ct)", pos)
		}
	}
}

func TestWrongLengths(t *testing.T) {
	s := Scheme()
	pk, sk, _ := s.GenerateKeyPair()
	ct, _, _ := s.Encapsulate(pk)
	for _, n := range []int{0, 1, CiphertextSize - 1, CiphertextSize + 1, 2 * CiphertextSize} {
		c := make([]byte, n)
		copy(c, ct)
		if ss, err := s.Decapsulate(sk, c); !errors.Is(err, kem.ErrCiphertextSize) || ss != nil {
			t.Errorf("ciphertext of %d bytes: ss %x, err %v", n, ss, err)
		}
	}
	for _, n := range []int{0, PublicKeySize - 1, PublicKeySize + 1} {
		if _, err := s.UnmarshalBinaryPublicKey(make([]byte, n)); !errors.Is(err, kem.ErrPubKeySize) {
			t.Errorf("public key of %d bytes: err %v", n, err)
		}
	}
	for _, n := range []int{0, PrivateKeySize - 1, PrivateKeySize + 1} {
		if _, err := s.UnmarshalBinaryPrivateKey(make([]byte, n)); !errors.Is(err, kem.ErrPrivKeySize) {
			t.Errorf("private key of %d bytes: err %v", n, err)
		}
	}
}

func TestTypeMismatch(t *testing.T) {
	s := Scheme()
	opk, osk, err := mlkem768.Scheme().GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Encapsulate(opk); !errors.Is(err, kem.ErrTypeMismatch) {
		t.Errorf("Encapsulate to an ML-KEM key: %v", err)
	}
	if _, err := s.Decapsulate(osk, make([]byte, CiphertextSize)); !errors.Is(err, kem.ErrTypeMismatch) {
		t.Errorf("Decapsulate with an ML-KEM key: %v", err)
	}
	pk, sk, _ := s.GenerateKeyPair()
	if pk.Equal(opk) || sk.Equal(osk) {
		t.Error("keys equal to keys of another scheme")
	}
}

func TestDeterministic(t *testing.T) {
	s := Scheme()
	seed := bytes.Repeat([]byte{7}, SeedSize)
	pk1, sk1 := s.DeriveKeyPair(seed)
	pk2, sk2 := s.DeriveKeyPair(seed)
	if !pk1.Equal(pk2) || !sk1.Equal(sk2) {
		t.Fatal("DeriveKeyPair is not deterministic")
	}
	seed[0] ^= 1
	pk3, _ := s.DeriveKeyPair(seed)
	if pk1.Equal(pk3) {
		t.Fatal("different seeds derive the same key")
	}
	eseed := bytes.Repeat([]byte{9}, EncapsulationSeedSize)
	ct1, ss1, err := s.EncapsulateDeterministically(pk1, eseed)
	if err != nil {
		t.Fatal(err)
	}
	ct2, ss2, _ := s.EncapsulateDeterministically(pk1, eseed)
	if !bytes.Equal(ct1, ct2) || !bytes.Equal(ss1, ss2) {
		t.Fatal("EncapsulateDeterministically is not deterministic")
	}
	got, _ := s.Decapsulate(sk1, ct1)
	if !bytes.Equal(got, ss1) {
		t.Fatal("deterministic encapsulation does not decapsulate")
	}
	if _, _, err := s.EncapsulateDeterministically(pk1, eseed[1:]); !errors.Is(err, kem.ErrSeedSize) {
		t.Errorf("short encapsulation seed: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("DeriveKeyPair with a short seed did not panic")
		}
	}()
	s.DeriveKeyPair(seed[1:])
}

// TestSeamsMatchKAT checks that the exported test seams use the bulk
// pattern: replaying them on the DRBG of count 0 gives the liboqs entry.
func TestSeamsMatchKAT(t *testing.T) {
	want := readRSP(t, "../../testvectors/sntrup761/sntrup761.bulk.count0.rsp")[0]
	d := nistdrbg.New(want.Seed)
	pk, sk, err := GenerateKeyPairFrom(d)
	if err != nil {
		t.Fatal(err)
	}
	ct, ss, err := EncapsulateFrom(pk, d)
	if err != nil {
		t.Fatal(err)
	}
	pkb, _ := pk.MarshalBinary()
	skb, _ := sk.MarshalBinary()
	if !bytes.Equal(pkb, want.PK) || !bytes.Equal(skb, want.SK) || !bytes.Equal(ct, want.CT) || !bytes.Equal(ss, want.SS) {
		t.Error("GenerateKeyPairFrom/EncapsulateFrom do not reproduce the bulk KAT")
	}
	// A short reader is an error, not a panic.
	if _, _, err := GenerateKeyPairFrom(bytes.NewReader(make([]byte, 100))); err == nil {
		t.Error("key generation from a short reader succeeded")
	}
	if _, _, err := EncapsulateFrom(pk, bytes.NewReader(make([]byte, 100))); err == nil {
		t.Error("encapsulation from a short reader succeeded")
	}
}

// TestCrossKAT decapsulates the published ciphertexts with the published
// private keys, and encapsulates with our code to the published public keys
// and decapsulates with the published private keys.
func TestCrossKAT(t *testing.T) {
	s := Scheme()
	entries := readRSP(t, "../../testvectors/sntrup761/sntrup761.per-coefficient.count0-1.rsp")
	entries = append(entries, readRSP(t, "../../testvectors/sntrup761/sntrup761.bulk.count0.rsp")...)
	for _, e := range entries {
		sk, err := s.UnmarshalBinaryPrivateKey(e.SK)
		if err != nil {
			t.Fatal(err)
		}
		pk, err := s.UnmarshalBinaryPublicKey(e.PK)
		if err != nil {
			t.Fatal(err)
		}
		if !sk.Public().Equal(pk) {
			t.Error("published private key does not embed the published public key")
		}
		ss, err := s.Decapsulate(sk, e.CT)
		if err != nil || !bytes.Equal(ss, e.SS) {
			t.Errorf("count %d: published ciphertext decapsulates to %x (%v), want %x", e.Count, ss, err, e.SS)
		}
		ct, ss1, err := s.Encapsulate(pk)
		if err != nil {
			t.Fatal(err)
		}
		ss2, _ := s.Decapsulate(sk, ct)
		if !bytes.Equal(ss1, ss2) {
			t.Errorf("count %d: our ciphertext does not decapsulate with the published key", e.Count)
		}
	}
	// And the published ciphertexts under a key of ours are rejected.
	_, sk, _ := s.GenerateKeyPair()
	ss, _ := s.Decapsulate(sk, entries[0].CT)
	if bytes.Equal(ss, entries[0].SS) {
		t.Error("a foreign key decapsulates the published ciphertext")
	}
}

// TestArbitraryPrivateKey: any 1763-byte string parses, and decapsulation
// with it returns 32 bytes without panicking (two-bit fields holding 3, and
// a cache that does not match the public key, included).
func TestArbitraryPrivateKey(t *testing.T) {
	s := Scheme()
	for _, fill := range []byte{0x00, 0xff, 0xaa} {
		b := bytes.Repeat([]byte{fill}, PrivateKeySize)
		sk, err := s.UnmarshalBinaryPrivateKey(b)
		if err != nil {
			t.Fatal(err)
		}
		back, _ := sk.MarshalBinary()
		if !bytes.Equal(back, b) {
			t.Fatal("MarshalBinary does not return the parsed bytes")
		}
		ss, err := s.Decapsulate(sk, bytes.Repeat([]byte{fill}, CiphertextSize))
		if err != nil || len(ss) != SharedKeySize {
			t.Fatalf("fill %#x: %x, %v", fill, ss, err)
		}
	}
}
