package server

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/pqssh/pqssh/internal/sshwire"
	gossh "golang.org/x/crypto/ssh"
)

// TestHostKeysUpdate: after authentication pqsshd announces all its host
// keys (hostkeys-00@openssh.com) and proves possession of each
// (hostkeys-prove-00@openssh.com), signatures checked as OpenSSH's client
// checks them; a key that is not its own is refused.
func TestHostKeysUpdate(t *testing.T) {
	dir := t.TempDir()
	e := startServer(t, "", "HostKey "+filepath.Join(dir, "ssh_host_mldsa44_ed25519_key")+"\nHostKey "+filepath.Join(dir, "ssh_host_rsa_key"))
	want := e.srv.HostKeys()
	if len(want) != 3 {
		t.Fatalf("host keys %v", types(want))
	}
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.clientConfig(e.user, e.key)
	cfg.HostKeyCallback = gossh.InsecureIgnoreHostKey()
	conn, _, reqs, err := gossh.NewClientConn(nc, e.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var announced *gossh.Request
	select {
	case announced = <-reqs:
	case <-time.After(10 * time.Second):
		t.Fatal("no hostkeys-00@openssh.com")
	}
	if announced.Type != sshwire.HostKeysRequest || announced.WantReply {
		t.Fatalf("request %q want-reply %v", announced.Type, announced.WantReply)
	}
	var blobs [][]byte
	for rest := announced.Payload; len(rest) > 0; {
		b, r, err := sshwire.String(rest)
		if err != nil {
			t.Fatal("malformed hostkeys-00@openssh.com")
		}
		blobs, rest = append(blobs, b), r
	}
	if len(blobs) != len(want) {
		t.Fatalf("announced %d keys, have %d", len(blobs), len(want))
	}
	var req []byte
	for _, b := range blobs {
		req = sshwire.AppendString(req, b)
	}
	ok, resp, err := conn.SendRequest(sshwire.HostKeysProveRequest, true, req)
	if err != nil || !ok {
		t.Fatalf("hostkeys-prove-00@openssh.com: %v %v", ok, err)
	}
	for i, b := range blobs {
		sigBlob, r, err := sshwire.String(resp)
		if err != nil {
			t.Fatalf("signature %d missing", i)
		}
		resp = r
		key, err := gossh.ParsePublicKey(b)
		if err != nil {
			t.Fatal(err)
		}
		var sig gossh.Signature
		if err := gossh.Unmarshal(sigBlob, &sig); err != nil {
			t.Fatal(err)
		}
		var data []byte
		data = sshwire.AppendString(data, []byte(sshwire.HostKeysProveRequest))
		data = sshwire.AppendString(data, conn.SessionID())
		data = sshwire.AppendString(data, b)
		if err := key.Verify(data, &sig); err != nil {
			t.Errorf("%s proof (%s): %v", key.Type(), sig.Format, err)
		}
		if key.Type() == gossh.KeyAlgoRSA && sig.Format != gossh.KeyAlgoRSASHA512 {
			t.Errorf("RSA proof signed with %s, want rsa-sha2-512", sig.Format)
		}
	}
	// A key that is not the server's.
	if ok, _, _ := conn.SendRequest(sshwire.HostKeysProveRequest, true, sshwire.AppendString(nil, newSigner(t).PublicKey().Marshal())); ok {
		t.Error("proved a key that is not a host key")
	}
}
