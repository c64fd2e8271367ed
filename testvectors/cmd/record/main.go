// Command record records a key-exchange transcript between the fork's ssh
// package (with pqssh's methods) and a real peer, as a vector file for
// testvectors (see testvectors/transcript.go and docs/kex.md).
//
//	record -role client -addr 127.0.0.1:2222 -kex NAME -seed LABEL -o FILE
//	record -role server -listen 127.0.0.1:2222 -kex NAME -seed LABEL -o FILE
//
// As a client it connects to the peer's server; as a server it waits for
// the peer's client. Our randomness is SHAKE128 of LABEL-N for attempt N;
// for a method of package kex it retries (up to -tries) until the shared
// secret's first byte is 0x80 or more, where the string and mpint
// encodings of K differ.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/testvectors"
)

func main() {
	role := flag.String("role", testvectors.RoleClient, "our role: client or server")
	addr := flag.String("addr", "", "client role: the peer server's address")
	listen := flag.String("listen", "", "server role: the address to wait on")
	method := flag.String("kex", "", "the key exchange")
	seed := flag.String("seed", "", "label of our randomness")
	out := flag.String("o", "", "vector file to write")
	tries := flag.Int("tries", 32, "attempts to find a K with its top bit set")
	peer := flag.String("peer", "", "how the peer is described in the file's comment")
	flag.Parse()
	if *method == "" || *seed == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	var l net.Listener
	if *role == testvectors.RoleServer {
		var err error
		if l, err = net.Listen("tcp", *listen); err != nil {
			log.Fatal(err)
		}
		defer l.Close()
	}
	for i := 0; i < *tries; i++ {
		s := fmt.Sprintf("%s-%d", *seed, i)
		var (
			tap *testvectors.TapConn
			rec = &testvectors.Recorder{}
			err error
		)
		if *role == testvectors.RoleServer {
			tap, err = serve(l, *method, s, rec)
		} else {
			tap, err = dial(*addr, *method, s, rec)
		}
		if err != nil {
			log.Fatalf("attempt %d: %v", i, err)
		}
		if rec.Secret != nil && rec.Secret[0] < 0x80 && i+1 < *tries {
			log.Printf("attempt %d: K starts with %#02x, trying again", i, rec.Secret[0])
			continue
		}
		client, server := tap.Out.Bytes(), tap.In.Bytes()
		if *role == testvectors.RoleServer {
			client, server = server, client
		}
		fields := map[string][]byte{
			"role":          []byte(*role),
			"seed":          []byte(s),
			"client_stream": client,
			"server_stream": server,
			"flows":         tap.Flows(*role == testvectors.RoleClient),
		}
		if rec.Secret != nil {
			fields["rand"], fields["K"] = rec.Rand, rec.Secret
		}
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		comment := []string{
			fmt.Sprintf("%s: pqssh (the x/crypto fork, %s role) <-> %s", *method, *role, *peer),
			fmt.Sprintf("recorded %s by testvectors/cmd/record; our randomness is SHAKE128(seed).", time.Now().UTC().Format("2006-01-02")),
			"Fields: see testvectors/transcript.go.",
		}
		if *role == testvectors.RoleClient {
			comment = append(comment, "The server's host-key signature over H and its encrypted packets after",
				"NEWKEYS come from the peer, code nobody here wrote.")
		} else {
			comment = append(comment, "The client's encrypted packets after NEWKEYS, which our server decrypted",
				"and authenticated, come from the peer, code nobody here wrote.")
		}
		if err := testvectors.WriteTranscript(f, comment, fields, *method); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s (seed %s)", *out, s)
		return
	}
	log.Fatalf("no attempt in %d recorded a transcript", *tries)
}

// dial runs our client against the peer's server until the server refuses
// the login.
func dial(addr, method, seed string, rec *testvectors.Recorder) (*testvectors.TapConn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	tap := &testvectors.TapConn{Conn: c}
	_, _, _, err = ssh.NewClientConn(tap, addr, testvectors.ClientConfig(method, seed, rec))
	if !testvectors.IsNoAuth(err) {
		return nil, fmt.Errorf("want the server to refuse the login after the exchange, got %v", err)
	}
	return tap, nil
}

// serve waits for one connection from the peer's client, lets it in, and
// refuses its channels until it hangs up.
func serve(l net.Listener, method, seed string, rec *testvectors.Recorder) (*testvectors.TapConn, error) {
	conf, err := testvectors.ServerConfig(method, seed, rec)
	if err != nil {
		return nil, err
	}
	c, err := l.Accept()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	tap := &testvectors.TapConn{Conn: c}
	conn, chans, reqs, err := ssh.NewServerConn(tap, conf)
	if err != nil {
		return nil, fmt.Errorf("handshake: %v", err)
	}
	go ssh.DiscardRequests(reqs)
	go func() {
		for ch := range chans {
			ch.Reject(ssh.Prohibited, "pqssh transcript recorder")
		}
	}()
	conn.Wait()
	if !bytes.HasPrefix(tap.In.Bytes(), []byte("SSH-2.0-")) {
		return nil, fmt.Errorf("no client version line")
	}
	return tap, nil
}

func init() {
	// record -hostkey prints the fingerprint of our server's host key,
	// for the peer client's command line.
	if len(os.Args) == 2 && os.Args[1] == "-hostkey" {
		hk, err := testvectors.HostKey()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ssh.FingerprintSHA256(hk.PublicKey()))
		os.Exit(0)
	}
}
