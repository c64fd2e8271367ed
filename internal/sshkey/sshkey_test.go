package sshkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
)

// TestRandomartRecorded draws the fingerprint pictures ssh-keygen -lv drew
// for the recorded keys (OpenSSH 10.6's ML-DSA key: its 17-character title
// is cut as OpenSSH cuts it).
func TestRandomartRecorded(t *testing.T) {
	for _, c := range []struct{ pub, lv, hash string }{
		{"testdata/ed25519_openssh92_encrypted.pub", "testdata/ed25519_openssh92_encrypted.pub.lv", "SHA256"},
		{"testdata/mldsa44_ed25519_openssh106_encrypted.pub", "testdata/mldsa44_ed25519_openssh106_encrypted.pub.lv", "SHA256"},
		{"testdata/mldsa44_ed25519_openssh106_encrypted.pub", "testdata/mldsa44_ed25519_openssh106_encrypted.pub.lv-md5", "MD5"},
	} {
		b, _ := os.ReadFile(c.pub)
		k, comment, _, _, err := ssh.ParseAuthorizedKey(b)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(c.lv)
		got := fmt.Sprintf("%d %s %s (%s)\n%s\n", KeyBits(k), Fingerprint(k, c.hash), comment, KeyTypeLabel(k), Randomart(k, c.hash))
		if got != string(want) {
			t.Errorf("%s:\nours:\n%s\nssh-keygen:\n%s", c.lv, got, want)
		}
	}
}

// TestHashHost checks the known_hosts hash against one computed with
// HMAC-SHA1 independently, and that matching finds it (and only it).
func TestHashHost(t *testing.T) {
	line := "|1|8O9G4Q0PHXLp9V7vmDasn/bk1JA=|1mRnjXkxyL4U+hQDBYX6Ksql8II= ssh-ed25519 AAAA"
	k := ParseKnownHosts(line + "\n")[0]
	if !k.Hashed() || !k.Matches("hashed.example") || k.Matches("hashed.exampl") {
		t.Errorf("hashed line %+v", k)
	}
	h, err := HashHost("a.example")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashHost("a.example")
	k = ParseKnownHosts(h + " ssh-ed25519 AAAA\n")[0]
	if h == h2 || !k.Matches("a.example") || k.Matches("b.example") {
		t.Errorf("HashHost %q %q", h, h2)
	}
	plain := ParseKnownHosts("@cert-authority *.ex,!bad.ex ssh-ed25519 AAAA\n#c\n\n")
	if len(plain) != 3 || plain[0].Marker != "@cert-authority" || !plain[0].Matches("a.EX") || plain[0].Matches("bad.ex") || !plain[0].Wildcard() || plain[1].Hosts != "" {
		t.Errorf("parsed %+v", plain)
	}
}

// TestParseValidity covers ssh-keygen -V's forms.
func TestParseValidity(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 30, 45, 0, time.UTC)
	n := uint64(now.Unix())
	for _, c := range []struct {
		spec          string
		after, before uint64
	}{
		{"+52w", uint64((now.Unix() - 59) / 60 * 60), n + 52*7*86400},
		{"-1d:+1h30m", n - 86400, n + 5400},
		{"always:forever", 0, math.MaxUint64},
		{"20250101Z:20300101123456Z", uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()), uint64(time.Date(2030, 1, 1, 12, 34, 56, 0, time.UTC).Unix())},
		{"0x10:0x20", 16, 32},
		{"202501010000Z:forever", uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()), math.MaxUint64},
	} {
		a, b, err := ParseValidity(c.spec, now)
		if err != nil || a != c.after || b != c.before {
			t.Errorf("%q: %d %d %v, want %d %d", c.spec, a, b, err, c.after, c.before)
		}
	}
	for _, bad := range []string{"", "+", "x:y", "+1d:", ":+1d", "20300101:20250101", "+5y", "2025:forever"} {
		if _, _, err := ParseValidity(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := FormatValidity(0, math.MaxUint64); s != "forever" {
		t.Error(s)
	}
}

// TestCertRequest signs certificates with ML-DSA and classical CAs over
// ML-DSA and classical keys and checks the options and the signature.
func TestCertRequest(t *testing.T) {
	keys := testKeys(t)
	var signers = map[string]ssh.Signer{}
	for name, k := range keys {
		f, err := FromKey(k, "")
		if err != nil {
			t.Fatal(err)
		}
		if signers[name], err = f.Signer(); err != nil {
			t.Fatal(err)
		}
	}
	for _, ca := range []string{pqsig.MLDSA44Ed25519, pqsig.MLDSA87, ssh.KeyAlgoED25519, ssh.KeyAlgoRSA} {
		for _, key := range []string{pqsig.MLDSA44Ed25519, pqsig.MLDSA44, pqsig.MLDSA65, ssh.KeyAlgoECDSA384} {
			r := NewCertRequest(signers[key].PublicKey(), false)
			r.KeyID, r.Principals, r.Serial = "id", []string{"alice"}, 9
			for _, o := range []string{"no-pty", "source-address=10.0.0.0/8", "extension:x@y=v", "no-x11-forwarding"} {
				if err := r.ApplyOption(o); err != nil {
					t.Fatal(err)
				}
			}
			c, err := r.Sign(signers[ca])
			if err != nil {
				t.Fatalf("%s CA, %s key: %v", ca, key, err)
			}
			parsed, err := ssh.ParsePublicKey(c.Marshal())
			if err != nil {
				t.Fatalf("%s CA, %s key: reparse: %v", ca, key, err)
			}
			chk := &ssh.CertChecker{SupportedCriticalOptions: []string{"source-address"}}
			if err := chk.CheckCert("alice", parsed.(*ssh.Certificate)); err != nil {
				t.Errorf("%s CA, %s key: %v", ca, key, err)
			}
			wantSig := ca
			if ca == ssh.KeyAlgoRSA {
				wantSig = ssh.KeyAlgoRSASHA512
			}
			text := FormatCertificate(c, func(k ssh.PublicKey) string { return Fingerprint(k, "SHA256") })
			for _, want := range []string{
				"Type: " + c.Type() + " user certificate\n",
				"Signing CA: " + KeyTypeLabel(signers[ca].PublicKey()) + " " + ssh.FingerprintSHA256(signers[ca].PublicKey()) + " (using " + wantSig + ")\n",
				"Critical Options: \n                source-address 10.0.0.0/8\n",
				"Extensions: \n                permit-agent-forwarding\n                permit-port-forwarding\n                permit-user-rc\n                x@y UNKNOWN OPTION: 0000000176 (len 5)\n",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s CA, %s key: -L text lacks %q:\n%s", ca, key, want, text)
				}
			}
		}
	}
	r := NewCertRequest(signers[ssh.KeyAlgoED25519].PublicKey(), true)
	if len(r.Extensions) != 0 {
		t.Error("a host certificate got user extensions")
	}
	for _, bad := range []string{"bogus", "force-command", "source-address="} {
		if err := r.ApplyOption(bad); err == nil {
			t.Errorf("-O %s accepted", bad)
		}
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	s, _ := ssh.NewSignerFromKey(ed)
	cert, err := NewCertRequest(s.PublicKey(), false).Sign(s)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := ssh.NewCertSigner(cert, s)
	if _, err := NewCertRequest(s.PublicKey(), false).Sign(cs); err == nil {
		t.Error("a certificate signed as a CA")
	}
}

// TestExportFormats: RFC 4716 round trip for every type; PKCS8/PEM only
// where the key has such a form.
func TestExportFormats(t *testing.T) {
	for algo, key := range testKeys(t) {
		f, _ := FromKey(key, "")
		rfc := ExportRFC4716(f.PublicKey, "a comment")
		pub, priv, err := Import([]byte(rfc))
		if err != nil || priv != nil || string(pub.Marshal()) != string(f.PublicKey.Marshal()) {
			t.Errorf("%s: RFC 4716 round trip: %v", algo, err)
		}
		_, errP8 := ExportPKCS8(f.PublicKey)
		_, errPEM := ExportPEM(f.PublicKey)
		hasForm := strings.HasPrefix(algo, "ecdsa") || algo == ssh.KeyAlgoRSA
		if (errP8 == nil) != hasForm || (errPEM == nil) != hasForm {
			t.Errorf("%s: PKCS8 %v PEM %v", algo, errP8, errPEM)
		}
	}
}
