package knownhosts

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func key(t *testing.T) ssh.PublicKey {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ssh.NewPublicKey(pub)
	return k
}

func TestCheck(t *testing.T) {
	k1, k2, k3 := key(t), key(t), key(t)
	line := func(hosts string, k ssh.PublicKey) string {
		return hosts + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	}
	hashed, _ := Line([]string{"[h.example]:2222"}, k2, true)
	db := &DB{}
	bad := db.Read(strings.NewReader(strings.Join([]string{
		line("*.example.com,!evil.example.com", k1),
		hashed,
		"not a valid line",
		"@revoked * " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k3))),
	}, "\n")), "kh")
	if len(bad) != 1 || !strings.Contains(bad[0].Error(), "kh:3:") {
		t.Fatalf("bad lines: %v", bad)
	}
	for _, c := range []struct {
		name string
		key  ssh.PublicKey
		want Result
	}{
		{"www.example.com", k1, Known},
		{"WWW.EXAMPLE.COM", k1, Known},
		{"www.example.com", k2, Changed},
		{"evil.example.com", k1, Unknown},
		{HostName("h.example", 2222), k2, Known},
		{HostName("h.example", 22), k2, Unknown},
		{HostName("h.example", 2222), k1, Changed},
		{"anything", k3, Revoked},
	} {
		if got, _ := db.Check(c.name, c.key); got != c.want {
			t.Errorf("Check(%s): %v, want %v", c.name, got, c.want)
		}
	}
	if HostName("h", 22) != "h" || HostName("h", 2) != "[h]:2" {
		t.Error("HostName")
	}
	if got := db.KnownTypes("www.example.com"); len(got) != 1 || got[0] != ssh.KeyAlgoED25519 {
		t.Errorf("KnownTypes: %v", got)
	}
}
