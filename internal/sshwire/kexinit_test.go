package sshwire

import (
	"slices"
	"testing"
)

// TestParseKexInit: a KEXINIT written out by hand (RFC 4253 section 7.1)
// parses into its ten name-lists, first_kex_packet_follows and reserved; an
// empty list is empty; every truncation, a wrong message number and trailing
// bytes are errors.
func TestParseKexInit(t *testing.T) {
	p := []byte{20}
	for i := 0; i < 16; i++ {
		p = append(p, byte(i))
	}
	lists := []string{"mlkem768x25519-sha256,curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes256-ctr",
		"hmac-sha2-256", "hmac-sha2-512", "none", "none,zlib@openssh.com", "", ""}
	for _, l := range lists {
		p = AppendString(p, []byte(l))
	}
	p = append(p, 1, 0, 0, 0, 7)
	k, err := ParseKexInit(p)
	if err != nil {
		t.Fatal(err)
	}
	if k.Cookie[15] != 15 || !slices.Equal(k.KexAlgos, []string{"mlkem768x25519-sha256", "curve25519-sha256"}) ||
		!slices.Equal(k.ServerHostKeyAlgos, []string{"ssh-ed25519"}) || k.CiphersServerClient[0] != "aes256-ctr" ||
		k.MACsServerClient[0] != "hmac-sha2-512" || !slices.Equal(k.CompressionServerClient, []string{"none", "zlib@openssh.com"}) ||
		len(k.LanguagesClientServer) != 0 || !k.FirstKexFollows || k.Reserved != 7 {
		t.Errorf("parsed %+v", k)
	}
	for n := 0; n < len(p); n++ {
		if _, err := ParseKexInit(p[:n]); err == nil {
			t.Fatalf("a KEXINIT truncated to %d of %d bytes parsed", n, len(p))
		}
	}
	bad := slices.Clone(p)
	bad[0] = 21
	if _, err := ParseKexInit(bad); err == nil {
		t.Error("message number 21 parsed as a KEXINIT")
	}
	if _, err := ParseKexInit(append(slices.Clone(p), 0)); err == nil {
		t.Error("trailing bytes accepted")
	}
}
