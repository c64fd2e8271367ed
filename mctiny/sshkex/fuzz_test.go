package sshkex

import (
	"bytes"
	"testing"

	"github.com/pqssh/pqssh/mctiny"
)

// FuzzParseKeyOffer feeds arbitrary request-success data (what a hostile
// server can send) to ParseKeyOffer: it never panics, and whatever it
// accepts is a well-formed offer that re-encodes to the same bytes.
func FuzzParseKeyOffer(f *testing.F) {
	good := MarshalKeyOffer(&KeyOffer{Params: mctiny.Name, Port: 22, PublicKey: make([]byte, mctiny.PublicKeySize)})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(append(bytes.Clone(good), 0))
	f.Add([]byte{0, 0, 0, 13})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add(MarshalKeyOffer(&KeyOffer{Params: mctiny.Name, Port: 0, PublicKey: make([]byte, mctiny.PublicKeySize)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseKeyOffer(b)
		if err != nil {
			if o != nil {
				t.Fatal("offer returned with an error")
			}
			return
		}
		if o.Params != mctiny.Name || o.Port == 0 || len(o.PublicKey) != mctiny.PublicKeySize {
			t.Fatalf("accepted a malformed offer: %q port %d key %d bytes", o.Params, o.Port, len(o.PublicKey))
		}
		if !bytes.Equal(MarshalKeyOffer(o), b) {
			t.Fatal("accepted data that does not re-encode to itself")
		}
	})
}
