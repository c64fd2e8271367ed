package pqsig

import (
	"crypto/ed25519"
	"crypto/sha512"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
)

// Algorithm names.
const (
	// MLDSA44Ed25519 is OpenSSH 10.6's composite (ssh-mldsa-eddsa.c).
	MLDSA44Ed25519 = "ssh-mldsa44-ed25519"
	// MLDSA44Ed25519Cert is OpenSSH 10.6's certificate type for it (its
	// ssh -Q key lists it; PROTOCOL.certkeys layout).
	MLDSA44Ed25519Cert = "ssh-mldsa44-ed25519-cert"
	// MLDSA44Ed25519OpenSSH105 is the name OpenSSH 10.4 and 10.5 used for
	// the same algorithm before 10.6 renamed it; not registered (10.6
	// does not accept it either: its ssh -Q key lists only the new name).
	MLDSA44Ed25519OpenSSH105 = "ssh-mldsa44-ed25519@openssh.com"

	// MLDSA44, MLDSA65 and MLDSA87 are draft-sfluhrer-ssh-mldsa-08.
	MLDSA44 = "ssh-mldsa-44"
	MLDSA65 = "ssh-mldsa-65"
	MLDSA87 = "ssh-mldsa-87"
)

// schemes is the table of algorithms.
var schemes = []*Scheme{
	{
		Name: MLDSA44Ed25519,
		Spec: "draft-miller-sshm-mldsa44-ed25519-composite-sigs-00 as OpenSSH 10.6 implements it (ssh-mldsa-eddsa.c); " +
			"MLDSA44-Ed25519-SHA512 of draft-ietf-lamps-pq-composite-sigs-18",
		PublicKeySize:  mldsa44.PublicKeySize + ed25519.PublicKeySize, // 1312 + 32 = 1344
		SignatureSize:  mldsa44.SignatureSize + ed25519.SignatureSize, // 2420 + 64 = 2484
		PrivateKeySize: mldsa44.SeedSize + ed25519.SeedSize,           // 32 + 32 = 64
		Composite:      true,
		CertName:       MLDSA44Ed25519Cert,
		alg:            composite{mldsa: mldsa44Params},
	},
	pure(MLDSA44, mldsa44Params),
	pure(MLDSA65, mldsa65Params),
	pure(MLDSA87, mldsa87Params),
}

func pure(name string, p *mldsaParams) *Scheme {
	return &Scheme{
		Name:           name,
		Spec:           "draft-sfluhrer-ssh-mldsa-08 (" + p.name + ", pure, empty context)",
		PublicKeySize:  p.publicKeySize,
		SignatureSize:  p.signatureSize,
		PrivateKeySize: 32, // ξ, FIPS 204 section 3.6.3; the draft's appendix A recommends storing it
		alg:            pureMLDSA{p},
	}
}

// mldsaParams adapts one of circl's ML-DSA parameter sets.
type mldsaParams struct {
	name          string
	publicKeySize int
	signatureSize int
	// keyFromSeed is ML-DSA.KeyGen_internal (FIPS 204 algorithm 6).
	keyFromSeed func(seed *[32]byte) (pub []byte, sk mldsaSecret)
	// verify is ML-DSA.Verify (FIPS 204 algorithm 3) with context ctx.
	verify func(pub, msg, ctx, sig []byte) bool
}

// mldsaSecret is an expanded ML-DSA private key.
type mldsaSecret interface {
	// sign is ML-DSA.Sign (FIPS 204 algorithm 2), hedged (randomized
	// with crypto/rand) or deterministic, with context ctx.
	sign(msg, ctx []byte, hedged bool) ([]byte, error)
	zero()
	// packed is the FIPS 204 encoding of the expanded key (for tests).
	packed() []byte
}

var mldsa44Params = &mldsaParams{
	name:          "ML-DSA-44",
	publicKeySize: mldsa44.PublicKeySize,
	signatureSize: mldsa44.SignatureSize,
	keyFromSeed: func(seed *[32]byte) ([]byte, mldsaSecret) {
		pk, sk := mldsa44.NewKeyFromSeed(seed)
		return pk.Bytes(), (*sk44)(sk)
	},
	verify: func(pub, msg, ctx, sig []byte) bool {
		var pk mldsa44.PublicKey
		if len(pub) != mldsa44.PublicKeySize || len(sig) != mldsa44.SignatureSize || pk.UnmarshalBinary(pub) != nil {
			return false
		}
		return mldsa44.Verify(&pk, msg, ctx, sig)
	},
}

var mldsa65Params = &mldsaParams{
	name:          "ML-DSA-65",
	publicKeySize: mldsa65.PublicKeySize,
	signatureSize: mldsa65.SignatureSize,
	keyFromSeed: func(seed *[32]byte) ([]byte, mldsaSecret) {
		pk, sk := mldsa65.NewKeyFromSeed(seed)
		return pk.Bytes(), (*sk65)(sk)
	},
	verify: func(pub, msg, ctx, sig []byte) bool {
		var pk mldsa65.PublicKey
		if len(pub) != mldsa65.PublicKeySize || len(sig) != mldsa65.SignatureSize || pk.UnmarshalBinary(pub) != nil {
			return false
		}
		return mldsa65.Verify(&pk, msg, ctx, sig)
	},
}

var mldsa87Params = &mldsaParams{
	name:          "ML-DSA-87",
	publicKeySize: mldsa87.PublicKeySize,
	signatureSize: mldsa87.SignatureSize,
	keyFromSeed: func(seed *[32]byte) ([]byte, mldsaSecret) {
		pk, sk := mldsa87.NewKeyFromSeed(seed)
		return pk.Bytes(), (*sk87)(sk)
	},
	verify: func(pub, msg, ctx, sig []byte) bool {
		var pk mldsa87.PublicKey
		if len(pub) != mldsa87.PublicKeySize || len(sig) != mldsa87.SignatureSize || pk.UnmarshalBinary(pub) != nil {
			return false
		}
		return mldsa87.Verify(&pk, msg, ctx, sig)
	},
}

type sk44 mldsa44.PrivateKey

func (k *sk44) sign(msg, ctx []byte, hedged bool) ([]byte, error) {
	sig := make([]byte, mldsa44.SignatureSize)
	return sig, mldsa44.SignTo((*mldsa44.PrivateKey)(k), msg, ctx, hedged, sig)
}
func (k *sk44) zero()          { *k = sk44{} }
func (k *sk44) packed() []byte { return (*mldsa44.PrivateKey)(k).Bytes() }

type sk65 mldsa65.PrivateKey

func (k *sk65) sign(msg, ctx []byte, hedged bool) ([]byte, error) {
	sig := make([]byte, mldsa65.SignatureSize)
	return sig, mldsa65.SignTo((*mldsa65.PrivateKey)(k), msg, ctx, hedged, sig)
}
func (k *sk65) zero()          { *k = sk65{} }
func (k *sk65) packed() []byte { return (*mldsa65.PrivateKey)(k).Bytes() }

type sk87 mldsa87.PrivateKey

func (k *sk87) sign(msg, ctx []byte, hedged bool) ([]byte, error) {
	sig := make([]byte, mldsa87.SignatureSize)
	return sig, mldsa87.SignTo((*mldsa87.PrivateKey)(k), msg, ctx, hedged, sig)
}
func (k *sk87) zero()          { *k = sk87{} }
func (k *sk87) packed() []byte { return (*mldsa87.PrivateKey)(k).Bytes() }

// pureMLDSA is draft-sfluhrer-ssh-mldsa-08: the key is FIPS 204's encoded
// public key; the signature is ML-DSA.Sign over the data to be signed,
// pure (not pre-hashed), empty context (sections 5 and 7). We sign hedged,
// as the draft recommends.
type pureMLDSA struct{ p *mldsaParams }

func (a pureMLDSA) expand(secret []byte) ([]byte, signingKey) {
	var seed [32]byte
	copy(seed[:], secret)
	pub, sk := a.p.keyFromSeed(&seed)
	clear(seed[:])
	return pub, pureKey{sk}
}

func (a pureMLDSA) verify(pub, msg, sig []byte) bool {
	return a.p.verify(pub, msg, nil, sig)
}

type pureKey struct{ sk mldsaSecret }

func (k pureKey) sign(msg []byte) ([]byte, error) { return k.sk.sign(msg, nil, true) }
func (k pureKey) zero()                           { k.sk.zero() }

// The composite of OpenSSH 10.6 (ssh-mldsa-eddsa.c), which is the
// MLDSA44-Ed25519-SHA512 composite of draft-ietf-lamps-pq-composite-sigs-18
// with an empty application context:
//
//	public key  = ML-DSA-44 public key (1312) || Ed25519 public key (32)
//	private key = ML-DSA-44 seed ξ (32) || Ed25519 seed (32)
//	M'          = Prefix || Label || len(ctx) (one byte, 0) || ctx (empty) || SHA-512(data)
//	signature   = ML-DSA-44.Sign(M', context = Label) (2420) || Ed25519.Sign(M') (64)
//
// A signature verifies only if both halves do.
const (
	compositePrefix = "CompositeAlgorithmSignatures2025"
	compositeLabel  = "COMPSIG-MLDSA44-Ed25519-SHA512"
)

type composite struct{ mldsa *mldsaParams }

// compositeMessage builds M' for data (empty context).
func compositeMessage(data []byte) []byte {
	h := sha512.Sum512(data)
	m := make([]byte, 0, len(compositePrefix)+len(compositeLabel)+1+len(h))
	m = append(m, compositePrefix...)
	m = append(m, compositeLabel...)
	m = append(m, 0) // the length of the (empty) context
	return append(m, h[:]...)
}

func (a composite) expand(secret []byte) ([]byte, signingKey) {
	var seed [32]byte
	copy(seed[:], secret[:32])
	mpub, msk := a.mldsa.keyFromSeed(&seed)
	clear(seed[:])
	edKey := ed25519.NewKeyFromSeed(secret[32:64])
	pub := make([]byte, 0, len(mpub)+ed25519.PublicKeySize)
	pub = append(pub, mpub...)
	pub = append(pub, edKey[32:]...)
	return pub, &compositeKey{mldsa: msk, ed: edKey}
}

func (a composite) verify(pub, msg, sig []byte) bool {
	n := a.mldsa.publicKeySize
	s := a.mldsa.signatureSize
	if len(pub) != n+ed25519.PublicKeySize || len(sig) != s+ed25519.SignatureSize {
		return false
	}
	m := compositeMessage(msg)
	// Both halves are checked, whatever the first one says.
	okPQ := a.mldsa.verify(pub[:n], m, []byte(compositeLabel), sig[:s])
	okEd := ed25519.Verify(ed25519.PublicKey(pub[n:]), m, sig[s:])
	return okPQ && okEd
}

type compositeKey struct {
	mldsa mldsaSecret
	ed    ed25519.PrivateKey
}

func (k *compositeKey) sign(msg []byte) ([]byte, error) {
	m := compositeMessage(msg)
	pq, err := k.mldsa.sign(m, []byte(compositeLabel), true)
	if err != nil {
		return nil, err
	}
	return append(pq, ed25519.Sign(k.ed, m)...), nil
}

func (k *compositeKey) zero() {
	k.mldsa.zero()
	clear(k.ed)
}
