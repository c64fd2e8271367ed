package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/client/knownhosts"
	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/mctiny"
	"github.com/pqssh/pqssh/mctiny/sshkex"
)

// McTiny=yes (draft-pqssh-mctiny-ssh-00): before SSH, pqssh runs a McTiny
// exchange over UDP with the server's pinned McTiny key, then connects
// with mctiny6688128x25519-sha512 as the only key-exchange method. The
// mode is explicit, so it never falls back to another method: if McTiny
// fails, the connection fails (as OpenSSH does when a requested algorithm
// cannot be used).
//
// On first contact the key is obtained over an ordinary SSH connection
// (authenticated, with the configured key exchange) through the global
// request mctiny-public-key@pqssh and pinned following
// StrictHostKeyChecking, as OpenSSH records a new host key. A pinned key
// is never replaced: if the server no longer answers McTiny for it and
// offers another key over SSH, the connection is refused with a warning
// like OpenSSH's for a changed host key.

// ErrMcTinyKeyVerification is returned when the McTiny key of a host is
// refused; the reasons have been logged.
var ErrMcTinyKeyVerification = errors.New("McTiny key verification failed.")

// mctinyPhase0Tries bounds the phase-0 retransmissions (1, 2 and 4 s with
// the default initial timeout): a server without the pinned key drops
// phase 0 silently, and pqssh then checks the key over SSH.
const mctinyPhase0Tries = 3

// mctinyHost is the name the McTiny key of the destination is pinned
// under: as in known_hosts.
func (d *Dialer) mctinyHost() string {
	r := d.Config
	host := r.HostName
	if r.HostKeyAlias != "" {
		host = r.HostKeyAlias
	}
	return knownhosts.HostName(host, r.Port)
}

// dialMcTiny is Dial for McTiny=yes.
func (d *Dialer) dialMcTiny(ctx context.Context) (*Client, error) {
	r := d.Config
	log := d.Log
	if r.ProxyJump != "" || r.ProxyCommand != "" {
		return nil, fmt.Errorf("McTiny needs a direct UDP path to %s; it cannot be used with ProxyJump or ProxyCommand", r.HostName)
	}
	if r.McTinyHostsFile == "" {
		return nil, fmt.Errorf("McTiny: no pin file (McTinyHostsFile)")
	}
	host := d.mctinyHost()
	pin, err := lookupMcTinyPin(r.McTinyHostsFile, host, func(e error) { log.Debug(1, "%v", e) })
	if err != nil {
		return nil, err
	}
	var pk []byte
	if pin != nil {
		log.Debug(1, "McTiny key for '%s' is pinned: %s (%s:%d)", host, pin.fingerprint, pin.file, pin.line)
		pk, err = loadMcTinyKey(r.McTinyHostsFile, pin)
		if err != nil {
			// The store lost the key: fetch it again; only the pinned
			// key is accepted.
			log.Debug(1, "McTiny key store: %v; asking the server", err)
			if pk, err = d.fetchMcTinyKey(ctx, host, pin); err != nil {
				return nil, err
			}
		}
	} else {
		log.Debug(1, "No McTiny key is pinned for '%s'; asking the server over SSH.", host)
		if pk, err = d.fetchMcTinyKey(ctx, host, nil); err != nil {
			return nil, err
		}
	}

	res, err := d.mctinyExchange(ctx, pk)
	if errors.Is(err, mctiny.ErrNoPhase0Reply) && pin != nil {
		// Phase 0 is dropped silently by a server without the private
		// key: check whether the server's McTiny key changed.
		log.Debug(1, "McTiny phase 0 unanswered; checking the server's McTiny key over SSH.")
		if _, kerr := d.fetchMcTinyKey(ctx, host, pin); kerr != nil {
			return nil, kerr
		}
	}
	if err != nil {
		return nil, err
	}
	method := sshkex.NewClientMethod(res)
	res.Wipe()
	st := res.Stats

	nd := *d
	rc := *r
	rc.McTiny = false
	rc.KexAlgorithms = []string{sshkex.Name}
	rc.KexAlgorithmsSet = true
	nd.Config = &rc
	nd.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{sshkex.Name: method}
	nd.RekeyKexAlgorithms = mctinyRekeyKex(r.KexAlgorithms)
	c, err := nd.Dial(ctx)
	if err != nil {
		method.Wipe()
		return nil, err
	}
	c.McTiny = &st
	// McTiny's result keys the first exchange only (its cookie expires
	// within 7 to 8 minutes); rekeys negotiate one of the configured
	// KexAlgorithms. The method erased Z when the exchange took it; Wipe
	// covers a connection that ended before.
	go func() {
		c.Wait()
		method.Wipe()
	}()
	return c, nil
}

// mctinyExchange runs McTiny with the server at HostName:McTinyPort
// (McTinyPort 0: the SSH port).
func (d *Dialer) mctinyExchange(ctx context.Context, pk []byte) (*mctiny.Result, error) {
	r := d.Config
	log := d.Log
	port := r.McTinyPort
	if port == 0 {
		port = r.Port
	}
	network := "udp"
	switch r.AddressFamily {
	case "inet":
		network = "udp4"
	case "inet6":
		network = "udp6"
	}
	addr, err := net.ResolveUDPAddr(network, net.JoinHostPort(r.HostName, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("McTiny: resolving %s: %w", r.HostName, err)
	}
	conn := d.McTinyConn
	if conn == nil {
		local := &net.UDPAddr{}
		if r.BindAddress != "" {
			local.IP = net.ParseIP(r.BindAddress)
		}
		network = "udp6"
		if addr.IP.To4() != nil {
			network = "udp4"
		}
		uc, err := net.ListenUDP(network, local)
		if err != nil {
			return nil, fmt.Errorf("McTiny: %w", err)
		}
		defer uc.Close()
		conn = uc
	}
	log.Debug(1, "McTiny: exchange (%s) with %s port %d/udp.", mctiny.Name, r.HostName, port)
	opts := mctiny.ClientConfig{}
	if d.McTinyOptions != nil {
		opts = *d.McTinyOptions
	}
	if opts.Phase0Tries == 0 {
		opts.Phase0Tries = mctinyPhase0Tries
	}
	res, err := mctiny.Exchange(ctx, conn, addr, pk, &opts)
	if err != nil {
		log.Error("McTiny exchange with %s port %d/udp failed: %v", r.HostName, port, err)
		return nil, fmt.Errorf("McTiny: %w", err)
	}
	s := res.Stats
	if s.Puzzles > 0 {
		// A loaded server asked for proof of work before phase 0.
		log.Debug(1, "McTiny: solved %d puzzle(s) of the loaded server (last %d bits) in %v.", s.Puzzles, s.PuzzleBits, s.PuzzleTime.Round(1e6))
	}
	log.Debug(1, "McTiny: done in %v (one-time key %v): sent %d packets (%d bytes, %d retransmitted), received %d (%d bytes), largest datagram %d bytes, rtt %v.",
		s.Total.Round(1e6), s.KeyGen.Round(1e6), s.PacketsSent, s.BytesSent, s.Retransmissions, s.PacketsReceived, s.BytesReceived, s.MaxDatagram, s.SmoothedRTT)
	return res, nil
}

// fetchMcTinyKey asks the server for its McTiny key over an ordinary,
// authenticated SSH connection. With a pin, it returns the key only if it
// matches the pin, and refuses a different one loudly; without, it asks
// to pin the key following StrictHostKeyChecking and records it.
func (d *Dialer) fetchMcTinyKey(ctx context.Context, host string, pin *mctinyPin) ([]byte, error) {
	r := d.Config
	log := d.Log
	nd := *d
	rc := *r
	rc.McTiny = false
	nd.Config = &rc
	c, err := nd.Dial(ctx)
	if err != nil {
		return nil, err
	}
	ok, data, err := c.SendRequest(sshkex.GlobalRequest, true, nil)
	c.Close()
	if err != nil {
		return nil, fmt.Errorf("McTiny: asking %s for its key: %w", r.HostName, err)
	}
	if !ok {
		log.Error("%s does not offer McTiny (request %s refused).", r.HostName, sshkex.GlobalRequest)
		return nil, ErrMcTinyKeyVerification
	}
	offer, err := sshkex.ParseKeyOffer(data)
	if err != nil {
		log.Error("McTiny key offer from %s: %v", r.HostName, err)
		return nil, ErrMcTinyKeyVerification
	}
	fp := sshkex.Fingerprint(offer.PublicKey)
	want := r.McTinyPort
	if want == 0 {
		want = r.Port
	}
	if int(offer.Port) != want {
		log.Info("Warning: %s announces McTiny on UDP port %d; pqssh uses port %d (set McTinyPort).", r.HostName, offer.Port, want)
	}
	if pin != nil {
		if fp == pin.fingerprint {
			log.Debug(1, "McTiny key of '%s' matches the pin (%s:%d).", host, pin.file, pin.line)
			if _, err := loadMcTinyKey(r.McTinyHostsFile, pin); err != nil {
				if err := writeMcTinyKeyFile(r.McTinyHostsFile, offer.PublicKey); err != nil {
					log.Debug(1, "McTiny key store: %v", err)
				}
			}
			return offer.PublicKey, nil
		}
		d.warnMcTinyChanged(host, fp, pin)
		return nil, ErrMcTinyKeyVerification
	}
	switch r.StrictHostKeyChecking {
	case "yes":
		log.Error("No McTiny key is pinned for %s and you have requested strict checking.", host)
		return nil, ErrMcTinyKeyVerification
	case "ask":
		if r.BatchMode || d.Prompt == nil {
			log.Error("No McTiny key is pinned for %s and there is no terminal to ask (BatchMode or no TTY).", host)
			return nil, ErrMcTinyKeyVerification
		}
		var b strings.Builder
		fmt.Fprintf(&b, "No McTiny key is pinned for '%s'.\n", host)
		fmt.Fprintf(&b, "The server sent its %s key over the SSH connection authenticated by its host key:\n", mctiny.Name)
		fmt.Fprintf(&b, "McTiny key fingerprint is %s.\n", fp)
		b.WriteString("Are you sure you want to pin it and continue connecting (yes/no/[fingerprint])? ")
		prompt := b.String()
		for {
			ans, err := d.Prompt.Prompt(prompt, true)
			if err != nil {
				return nil, ErrMcTinyKeyVerification
			}
			ans = strings.TrimSpace(ans)
			switch {
			case strings.EqualFold(ans, "yes"), ans == fp:
			case strings.EqualFold(ans, "no"):
				return nil, ErrMcTinyKeyVerification
			default:
				prompt = "Please type 'yes', 'no' or the fingerprint: "
				continue
			}
			break
		}
	}
	if err := pinMcTinyKey(r.McTinyHostsFile, host, offer.PublicKey); err != nil {
		log.Error("Failed to pin the McTiny key of %s (%s): %v", host, r.McTinyHostsFile, err)
		return nil, ErrMcTinyKeyVerification
	}
	log.Info("Warning: Permanently added the McTiny key of '%s' (%s) to the list of pinned McTiny keys.", host, fp)
	return offer.PublicKey, nil
}

func (d *Dialer) warnMcTinyChanged(host, fp string, pin *mctinyPin) {
	var b strings.Builder
	b.WriteString("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n")
	b.WriteString("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n")
	b.WriteString("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n")
	b.WriteString("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n")
	b.WriteString("The McTiny key of the remote host differs from the pinned one.\n")
	b.WriteString("It is also possible that the McTiny key has just been changed.\n")
	fmt.Fprintf(&b, "The fingerprint for the %s key sent by the remote host is\n%s.\n", mctiny.Name, fp)
	fmt.Fprintf(&b, "The pinned key is %s.\n", pin.fingerprint)
	b.WriteString("Please contact your system administrator.\n")
	fmt.Fprintf(&b, "Remove the line from %s to pin the new key.\n", pin.file)
	fmt.Fprintf(&b, "Offending McTiny key in %s:%d\n", pin.file, pin.line)
	fmt.Fprintf(&b, "McTiny key for %s has changed and you have requested McTiny.", host)
	d.Log.Error("%s", b.String())
}

// mctinyRekeyKex is what a McTiny connection offers in rekeys: the
// configured KexAlgorithms without the McTiny method, or the default list
// if nothing else is configured.
func mctinyRekeyKex(configured []string) []string {
	var out []string
	for _, k := range configured {
		if k != sshkex.Name {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		out = kex.DefaultKeyExchanges()
	}
	return out
}
