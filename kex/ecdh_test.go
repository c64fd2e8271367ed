package kex

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// nistVectors are the NIST CAVS 14.1 ECC CDH primitive vectors (SP
// 800-56A) for P-256 and P-384, as the Go standard library's crypto/ecdh
// tests carry them: the private scalar, its public point, the peer's
// point and the shared X-coordinate.
var nistVectors = []struct {
	c                  ECDH
	priv, pub, peer, z string
}{
	{
		P256,
		"7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
		"04ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230" +
			"28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141",
		"04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287" +
			"db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
		"46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b",
	},
	{
		P384,
		"3cc3122a68f0d95027ad38c067916ba0eb8c38894d22e1b15618b6818a661774ad463b205da88cf699ab4d43c9cf98a1",
		"049803807f2f6d2fd966cdd0290bd410c0190352fbec7ff6247de1302df86f25d34fe4a97bef60cff548355c015dbb3e5f" +
			"ba26ca69ec2f5b5d9dad20cc9da711383a9dbe34ea3fa5a2af75b46502629ad54dd8b7d73a8abb06a3a3be47d650cc99",
		"04a7c76b970c3b5fe8b05d2838ae04ab47697b9eaf52e764592efda27fe7513272734466b400091adbf2d68c58e0c50066" +
			"ac68f19f2e1cb879aed43a9969b91a0839c4c38a49749b661efedf243451915ed0905a32b060992b468c64766fc8437a",
		"5f9d29dc5e31a163060356213669c8ce132e22f57c9a04f40ba7fcead493b457e5621e766c40a2e3d4d6a04b25e533f1",
	},
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNISTVectors: the key drawn from the vector's scalar has the vector's
// public point in the uncompressed encoding of RFC 5656 section 4, and its
// shared secret with the peer is the vector's X-coordinate, fixed-length
// and big-endian (draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.4).
func TestNISTVectors(t *testing.T) {
	for _, v := range nistVectors {
		t.Run(v.c.Name(), func(t *testing.T) {
			k, err := v.c.GenerateKey(bytes.NewReader(unhex(t, v.priv)))
			if err != nil {
				t.Fatal(err)
			}
			if got := k.PublicKey(); !bytes.Equal(got, unhex(t, v.pub)) || len(got) != v.c.PublicKeySize() {
				t.Fatalf("public key %x", got)
			}
			z, err := k.SharedSecret(unhex(t, v.peer))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(z, unhex(t, v.z)) || len(z) != v.c.SharedSize() {
				t.Fatalf("shared secret %x, want %s", z, v.z)
			}
		})
	}
}

// TestNISTInvalidPoints: every malformed peer point is refused with an
// error that names the curve and says what is wrong.
func TestNISTInvalidPoints(t *testing.T) {
	for _, v := range nistVectors {
		t.Run(v.c.Name(), func(t *testing.T) {
			k, err := v.c.GenerateKey(bytes.NewReader(unhex(t, v.priv)))
			if err != nil {
				t.Fatal(err)
			}
			good := unhex(t, v.peer)
			n := v.c.PublicKeySize()
			offCurve := bytes.Clone(good)
			offCurve[n-1] ^= 1 // Y off by one bit
			zeroXY := make([]byte, n)
			zeroXY[0] = 4
			compressed := append([]byte{2 + good[n-1]&1}, good[1:1+(n-1)/2]...)
			hybridForm := bytes.Clone(good)
			hybridForm[0] = 6 + good[n-1]&1 // SEC 1's hybrid form
			for _, tc := range []struct {
				name string
				in   []byte
				want string
			}{
				{"not on the curve", offCurve, "not a point on the curve"},
				{"(0, 0)", zeroXY, "not a point on the curve"},
				{"identity", []byte{0}, "point at infinity"},
				{"identity padded", make([]byte, n), "point at infinity"},
				{"compressed", compressed, "compressed point"},
				{"compressed, other sign", append([]byte{3 - good[n-1]&1}, good[1:1+(n-1)/2]...), "compressed point"},
				{"hybrid form", hybridForm, "want 0x04"},
				{"one byte short", good[:n-1], "want " + strconv.Itoa(n)},
				{"one byte long", append(bytes.Clone(good), 0), "want " + strconv.Itoa(n)},
				{"X only", good[1 : 1+(n-1)/2], "want " + strconv.Itoa(n)},
				{"empty", nil, "want " + strconv.Itoa(n)},
			} {
				_, err := k.SharedSecret(tc.in)
				if err == nil {
					t.Errorf("%s: accepted", tc.name)
					continue
				}
				if !strings.Contains(err.Error(), v.c.Name()) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: error %q, want it to name %s and say %q", tc.name, err, v.c.Name(), tc.want)
				}
			}
			if _, err := k.SharedSecret(good); err != nil {
				t.Fatalf("the valid point is refused after the invalid ones: %v", err)
			}
		})
	}
}

// TestNISTSharedSecretEncoding: with the NIST curves, K_CL keeps its
// leading zero bytes (it is a fixed-length byte array, not an integer),
// and K = HASH(K_PQ || K_CL) of that array (draft-ietf-sshm-mlkem-hybrid-kex-10
// section 2.4). The exchange is searched for a K_CL that starts with a
// zero byte, where a variable-length (mpint-like) encoding would differ.
func TestNISTSharedSecretEncoding(t *testing.T) {
	for _, name := range []string{MLKEM768NISTP256SHA256, MLKEM1024NISTP384SHA384} {
		t.Run(name, func(t *testing.T) {
			h, _ := Lookup(name)
			for i := 0; ; i++ {
				if i == 4096 {
					t.Fatal("no K_CL with a leading zero byte in 4096 exchanges")
				}
				c, err := h.newClient(testRand(fmt.Sprintf("%s client %d", name, i)))
				if err != nil {
					t.Fatal(err)
				}
				// The server's ECDH key only: the KEM part is fixed.
				serverKey, err := h.Classical.GenerateKey(testRand(fmt.Sprintf("%s server %d", name, i)))
				if err != nil {
					t.Fatal(err)
				}
				kCL, err := serverKey.SharedSecret(c.cInit[len(c.cInit)-h.Classical.PublicKeySize():])
				if err != nil {
					t.Fatal(err)
				}
				if len(kCL) != h.Classical.SharedSize() {
					t.Fatalf("K_CL is %d bytes", len(kCL))
				}
				if kCL[0] != 0 {
					continue
				}
				// A full exchange with that server key: Respond draws the
				// encapsulation seed, then the ECDH key.
				seed := make([]byte, h.KEMs[0].EncapsulationSeedSize())
				pk, err := h.KEMs[0].UnmarshalBinaryPublicKey(c.cInit[:h.KEMs[0].PublicKeySize()])
				if err != nil {
					t.Fatal(err)
				}
				ct, kPQ, err := h.KEMs[0].EncapsulateDeterministically(pk, seed)
				if err != nil {
					t.Fatal(err)
				}
				reply := append(ct, serverKey.PublicKey()...)
				k, err := c.Finish(reply)
				if err != nil {
					t.Fatal(err)
				}
				var want []byte
				if h.Digest.Size() == sha256.Size {
					s := sha256.Sum256(append(bytes.Clone(kPQ), kCL...))
					want = s[:]
				} else {
					s := sha512.Sum384(append(bytes.Clone(kPQ), kCL...))
					want = s[:]
				}
				if !bytes.Equal(k, want) {
					t.Fatalf("K = %x, want HASH(K_PQ || K_CL) = %x", k, want)
				}
				return
			}
		})
	}
}

// TestX448Vector is RFC 7748 section 6.2's Diffie-Hellman example:
// Alice's and Bob's keys and their shared secret.
func TestX448Vector(t *testing.T) {
	alicePriv := unhex(t, "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b")
	alicePub := unhex(t, "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0")
	bobPriv := unhex(t, "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d")
	bobPub := unhex(t, "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609")
	shared := unhex(t, "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d")
	a, err := X448.GenerateKey(bytes.NewReader(alicePriv))
	if err != nil {
		t.Fatal(err)
	}
	b, err := X448.GenerateKey(bytes.NewReader(bobPriv))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.PublicKey(), alicePub) || !bytes.Equal(b.PublicKey(), bobPub) {
		t.Fatal("public keys differ from RFC 7748")
	}
	for _, k := range []struct {
		priv ECDHPrivateKey
		peer []byte
	}{{a, bobPub}, {b, alicePub}} {
		s, err := k.priv.SharedSecret(k.peer)
		if err != nil || !bytes.Equal(s, shared) {
			t.Fatalf("shared secret %x, %v", s, err)
		}
	}
}

// TestLowOrderX448Rejected: the X448 public keys whose shared secret is
// zero for every private key (u = 0, 1 and p-1 = -1, RFC 7748 section 5
// and 6.2) are refused, as are wrong lengths.
func TestLowOrderX448Rejected(t *testing.T) {
	k, err := X448.GenerateKey(testRand("x448 low order"))
	if err != nil {
		t.Fatal(err)
	}
	pMinus1 := bytes.Repeat([]byte{0xff}, 56)
	pMinus1[0] = 0xfe
	pMinus1[28] = 0xfe
	one := make([]byte, 56)
	one[0] = 1
	for _, p := range [][]byte{make([]byte, 56), one, pMinus1} {
		if _, err := k.SharedSecret(p); err == nil || !strings.Contains(err.Error(), "X448") {
			t.Errorf("X448 key %x accepted: %v", p, err)
		}
	}
	for _, n := range []int{0, 55, 57} {
		if _, err := k.SharedSecret(make([]byte, n)); err == nil || !strings.Contains(err.Error(), "56") {
			t.Errorf("%d-byte X448 key: %v", n, err)
		}
	}
}

// TestMLKEMModulusCheck: the server refuses an ML-KEM encapsulation key
// with a coefficient not below q = 3329, as FIPS 203 section 7.2 and
// draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.1 require.
func TestMLKEMModulusCheck(t *testing.T) {
	for _, name := range []string{MLKEM768X25519SHA256, MLKEM768NISTP256SHA256, MLKEM1024NISTP384SHA384} {
		h, _ := Lookup(name)
		c, err := h.NewClient(testRand("modulus " + name))
		if err != nil {
			t.Fatal(err)
		}
		in := bytes.Clone(c.PublicValue())
		// The first coefficient is the low 12 bits of bytes 0 and 1.
		in[0] = 0xff
		in[1] |= 0x0f
		if _, _, err := h.Respond(testRand("server"), in); err == nil {
			t.Errorf("%s: server accepted an encapsulation key with a coefficient of 4095", name)
		}
	}
}

// TestRejectionSampling: a scalar that is zero or not below the group
// order is drawn again, so a valid key comes from the next bytes of rand.
func TestRejectionSampling(t *testing.T) {
	for _, c := range []struct {
		e     ECDH
		curve ecdh.Curve
	}{{P256, ecdh.P256()}, {P384, ecdh.P384()}} {
		n := c.e.SharedSize()
		good := bytes.Repeat([]byte{0x42}, n)
		in := append(append(make([]byte, n), bytes.Repeat([]byte{0xff}, n)...), good...)
		k, err := c.e.GenerateKey(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", c.e.Name(), err)
		}
		want, _ := c.curve.NewPrivateKey(good)
		if !bytes.Equal(k.PublicKey(), want.PublicKey().Bytes()) {
			t.Errorf("%s: the third draw was not the key", c.e.Name())
		}
		if _, err := c.e.GenerateKey(bytes.NewReader(make([]byte, n*maxScalarDraws))); err == nil {
			t.Errorf("%s: an all-zero rand gave a key", c.e.Name())
		}
	}
}
