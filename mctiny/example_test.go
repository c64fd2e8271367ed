package mctiny_test

import (
	"context"
	"log"
	"net"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/mctiny"
	"github.com/pqssh/pqssh/mctiny/sshkex"
)

// Example shows the integration: a server answering McTiny on UDP and
// accepting mctiny6688128x25519-sha512 in SSH, and a client that runs
// McTiny against a pinned key and then offers the method.
func Example() {
	// Server (pqsshd): one Server per state directory, its UDP loop, and
	// the SSH method holding its cookie keys.
	srv, err := mctiny.NewServer("/var/lib/pqssh/mctiny", nil)
	if err != nil {
		log.Fatal(err)
	}
	udp, err := net.ListenUDP("udp", &net.UDPAddr{Port: 22})
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(context.Background(), udp)
	serverConfig := &ssh.ServerConfig{}
	serverConfig.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{
		sshkex.Name: sshkex.NewServerMethod(srv.CookieKeys()),
	}
	serverConfig.KeyExchanges = []string{sshkex.Name, "mlkem768x25519-sha256", "curve25519-sha256"}
	// On the global request sshkex.GlobalRequest from an authenticated
	// client: req.Reply(true, sshkex.MarshalKeyOffer(&sshkex.KeyOffer{
	//	Params: mctiny.Name, Port: 22, PublicKey: srv.PublicKey()}))

	// Client (pqssh): pinnedKey was fetched once with the global request
	// over a host-key-verified connection and is checked against its
	// pinned sshkex.Fingerprint.
	var pinnedKey []byte
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := mctiny.Exchange(ctx, conn, &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 22}, pinnedKey, nil)
	if err != nil {
		log.Fatal(err) // fall back to the other methods
	}
	method := sshkex.NewClientMethod(res)
	res.Wipe()
	clientConfig := &ssh.ClientConfig{}
	clientConfig.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{sshkex.Name: method}
	clientConfig.KeyExchanges = []string{sshkex.Name, "mlkem768x25519-sha256", "curve25519-sha256"}
	_ = clientConfig // ssh.Dial("tcp", "192.0.2.1:22", clientConfig)
}
