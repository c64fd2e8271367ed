package client

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/client/knownhosts"
	"github.com/pqssh/pqssh/internal/sshwire"
)

// UpdateHostKeys: OpenSSH's host key update and rotation extension
// ("hostkeys-00@openssh.com", "hostkeys-prove-00@openssh.com"; OpenSSH
// PROTOCOL section 2.5, draft-miller-sshm-hostkey-update). After
// authentication the server lists all its host keys; for the ones
// known_hosts lacks, pqssh asks the server to prove possession, checks
// each signature over
//
//	string "hostkeys-prove-00@openssh.com" || string session identifier || string host key blob
//
// and appends the keys to the first UserKnownHostsFile. Only when the key
// of this connection was verified through known_hosts (a client that
// trusts the server's Ed25519 key learns its new ML-DSA key this way).
// Unlike OpenSSH, pqssh never removes keys the server no longer lists.
//
// UpdateHostKeys=ask (OpenSSH's clientloop.c update_known_hosts) proves
// the keys the same way, shows them at level INFO after OpenSSH's preamble
// and writes them only if the user answers "yes" to "Accept updated
// hostkeys? (yes/no): " (three tries; no terminal to ask on counts as
// "no"). In BatchMode nothing is asked nor proved. The question is put by
// ConfirmHostKeyUpdate, which pqssh calls when the session is over and the
// terminal is back in its normal mode: a question during the session
// would compete with it for the terminal's input.
const (
	// maxAnnouncedHostKeys bounds what a server can make us parse.
	maxAnnouncedHostKeys = 64
)

// hostKeyUpdater tracks the one update a connection may run.
type hostKeyUpdater struct {
	mu      sync.Mutex
	running chan struct{} // closed when the update is over
	// pending is a proved update waiting for the user's answer
	// (UpdateHostKeys=ask); nil otherwise.
	pending func() error
	d       *Dialer // for ConfirmHostKeyUpdate's question
}

// wait waits (at most limit) for an update in progress, so that closing
// the connection right after a short command does not cut it off.
func (u *hostKeyUpdater) wait(limit time.Duration) {
	if u == nil {
		return
	}
	u.mu.Lock()
	ch := u.running
	u.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-time.After(limit):
	}
}

// filterGlobalRequests passes the server's global requests on, except
// hostkeys-00@openssh.com, which it handles (once per connection).
func (d *Dialer) filterGlobalRequests(sc ssh.Conn, reqs <-chan *ssh.Request, db *knownhosts.DB, st *hostKeyState) (<-chan *ssh.Request, *hostKeyUpdater) {
	u := &hostKeyUpdater{d: d}
	out := make(chan *ssh.Request)
	go func() {
		defer close(out)
		for req := range reqs {
			if req.Type != sshwire.HostKeysRequest {
				out <- req
				continue
			}
			if req.WantReply {
				req.Reply(false, nil)
			}
			u.mu.Lock()
			if u.running != nil {
				u.mu.Unlock()
				d.Log.Debug(1, "client_input_hostkeys: ignoring a second %s", sshwire.HostKeysRequest)
				continue
			}
			done := make(chan struct{})
			u.running = done
			u.mu.Unlock()
			payload := req.Payload
			go func() {
				defer close(done)
				if err := d.updateHostKeys(sc, payload, db, st, u); err != nil {
					d.Log.Error("update hostkeys: %v", err)
				}
			}()
		}
	}()
	return out, u
}

func (d *Dialer) updateHostKeys(sc ssh.Conn, payload []byte, db *knownhosts.DB, st *hostKeyState, u *hostKeyUpdater) error {
	r := d.Config
	asking := r.UpdateHostKeys == "ask"
	if !asking && r.UpdateHostKeys != "yes" {
		d.Log.Debug(1, "client_input_hostkeys: UpdateHostKeys=%s, not updating", r.UpdateHostKeys)
		return nil
	}
	if asking && r.BatchMode {
		// OpenSSH's can_update_hostkeys: "won't ask in batchmode, so
		// don't even try".
		d.Log.Debug(1, "client_input_hostkeys: UpdateHostKeys=ask in BatchMode, not updating")
		return nil
	}
	if !st.trusted || st.key == nil || st.changed {
		d.Log.Debug(1, "client_input_hostkeys: host key not verified through known_hosts, not updating")
		return nil
	}
	if _, isCert := st.key.(*ssh.Certificate); isCert || len(r.UserKnownHostsFiles) == 0 {
		return nil
	}
	host := r.HostName
	if r.HostKeyAlias != "" {
		host = r.HostKeyAlias
	}
	name := knownhosts.HostName(host, r.Port)

	var keys []ssh.PublicKey
	var blobs [][]byte
	sawOwn := false
	for rest := payload; len(rest) > 0; {
		blob, r2, err := sshwire.String(rest)
		if err != nil {
			return fmt.Errorf("malformed %s", sshwire.HostKeysRequest)
		}
		rest = r2
		if len(blobs) >= maxAnnouncedHostKeys {
			return fmt.Errorf("%s lists more than %d keys", sshwire.HostKeysRequest, maxAnnouncedHostKeys)
		}
		key, err := ssh.ParsePublicKey(blob)
		if err != nil {
			d.Log.Debug(1, "client_input_hostkeys: skipping a key: %v", err)
			continue
		}
		if _, isCert := key.(*ssh.Certificate); isCert {
			continue
		}
		if bytes.Equal(blob, st.key.Marshal()) {
			sawOwn = true
		}
		if !d.hostKeyTypeAccepted(key.Type()) {
			d.Log.Debug(1, "client_input_hostkeys: %s key not permitted by HostKeyAlgorithms", KeyTypeName(key.Type()))
			continue
		}
		if slices.ContainsFunc(blobs, func(b []byte) bool { return bytes.Equal(b, blob) }) {
			return fmt.Errorf("server sent the %s key %s twice", KeyTypeName(key.Type()), Fingerprint(key, r.FingerprintHash))
		}
		if res, _ := db.Check(name, key); res != knownhosts.Unknown {
			continue // known, or a key of that type is known (rotation is not done)
		}
		keys = append(keys, key)
		blobs = append(blobs, blob)
	}
	if !sawOwn {
		d.Log.Debug(1, "client_input_hostkeys: server did not list the host key it used; not updating")
		return nil
	}
	if len(keys) == 0 {
		d.Log.Debug(1, "client_input_hostkeys: no new or deprecated keys from server")
		return nil
	}
	if !asking {
		for _, k := range keys {
			d.Log.Debug(1, "Learned new hostkey: %s %s", KeyTypeName(k.Type()), Fingerprint(k, r.FingerprintHash))
		}
	}
	var req []byte
	for _, b := range blobs {
		req = sshwire.AppendString(req, b)
	}
	ok, resp, err := sc.SendRequest(sshwire.HostKeysProveRequest, true, req)
	if err != nil {
		return fmt.Errorf("%s: %w", sshwire.HostKeysProveRequest, err)
	}
	if !ok {
		return fmt.Errorf("server refused %s", sshwire.HostKeysProveRequest)
	}
	for i, k := range keys {
		sigBlob, rest, err := sshwire.String(resp)
		if err != nil {
			return fmt.Errorf("%s reply: signature %d missing", sshwire.HostKeysProveRequest, i)
		}
		resp = rest
		var sig ssh.Signature
		if err := ssh.Unmarshal(sigBlob, &sig); err != nil {
			return fmt.Errorf("%s reply: signature %d: %w", sshwire.HostKeysProveRequest, i, err)
		}
		if k.Type() == ssh.KeyAlgoRSA && !strings.HasPrefix(sig.Format, "rsa-sha2-") {
			return fmt.Errorf("server proved its RSA key with %s", sig.Format)
		}
		data := sshwire.HostKeyProofData(sc.SessionID(), blobs[i])
		if err := k.Verify(data, &sig); err != nil {
			return fmt.Errorf("server failed to prove its %s key %s: %w", KeyTypeName(k.Type()), Fingerprint(k, r.FingerprintHash), err)
		}
	}
	if len(resp) != 0 {
		return fmt.Errorf("%s reply: %d bytes too many", sshwire.HostKeysProveRequest, len(resp))
	}
	if asking {
		// Shown only once the keys are proved, as OpenSSH does.
		d.Log.Info("The server has updated its host keys.")
		d.Log.Info("These changes were verified by the server's existing trusted key.")
		for _, k := range keys {
			d.Log.Info("Learned new hostkey: %s %s", KeyTypeName(k.Type()), Fingerprint(k, r.FingerprintHash))
		}
		u.mu.Lock()
		u.pending = func() error { return d.addKnownHosts(name, keys) }
		u.mu.Unlock()
		return nil
	}
	return d.addKnownHosts(name, keys)
}

// addKnownHosts appends proved host keys of host name to the first
// UserKnownHostsFile.
func (d *Dialer) addKnownHosts(name string, keys []ssh.PublicKey) error {
	r := d.Config
	file := r.UserKnownHostsFiles[0]
	for _, k := range keys {
		line, err := knownhosts.Line([]string{name}, k, r.HashKnownHosts)
		if err == nil {
			err = knownhosts.Append(file, line)
		}
		if err != nil {
			return fmt.Errorf("adding the %s key to %s: %w", KeyTypeName(k.Type()), file, err)
		}
		d.Log.Debug(1, "Adding new key for %s to %s: %s %s", name, file, k.Type(), Fingerprint(k, r.FingerprintHash))
	}
	return nil
}

// hostKeyTypeAccepted reports whether HostKeyAlgorithms allows a key type
// (RSA keys through any of their signature algorithms).
func (d *Dialer) hostKeyTypeAccepted(keyType string) bool {
	for _, a := range d.Config.HostKeyAlgorithms {
		if a == keyType || (keyType == ssh.KeyAlgoRSA && strings.HasPrefix(a, "rsa-sha2-")) {
			return true
		}
	}
	return false
}

// ConfirmHostKeyUpdate puts UpdateHostKeys=ask's question, if the server
// proved host keys known_hosts lacks during this connection: it waits (at
// most a few seconds) for an update in progress, then asks "Accept updated
// hostkeys? (yes/no): " up to three times and adds the keys only on "yes".
// No answer (no terminal, an error) is "no", as in OpenSSH. Call it with
// the terminal in its normal mode; it does nothing for UpdateHostKeys=yes
// or no, whose updates need no answer.
func (c *Client) ConfirmHostKeyUpdate() {
	u := c.hostKeys
	if u == nil {
		return
	}
	u.wait(3 * time.Second)
	u.mu.Lock()
	commit := u.pending
	u.pending = nil
	u.mu.Unlock()
	if commit == nil {
		return
	}
	d := u.d
	if d.Prompt == nil {
		d.Log.Debug(1, "update_known_hosts: no terminal to ask on, not updating")
		return
	}
	for range 3 {
		ans, err := d.Prompt.Prompt("Accept updated hostkeys? (yes/no): ", true)
		switch {
		case err != nil:
			d.Log.Debug(1, "update_known_hosts: %v, not updating", err)
			return
		case strings.EqualFold(ans, "yes"):
			if err := commit(); err != nil {
				d.Log.Error("update hostkeys: %v", err)
			}
			return
		case strings.EqualFold(ans, "no"):
			return
		}
		d.Log.Info("Please enter \"yes\" or \"no\"")
	}
}
