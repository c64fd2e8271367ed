package sntrup761_test

import (
	"bytes"
	"fmt"

	"github.com/pqssh/pqssh/kem/sntrup761"
)

func Example() {
	s := sntrup761.Scheme()
	pk, sk, err := s.GenerateKeyPair() // the client
	if err != nil {
		panic(err)
	}
	ct, ssServer, err := s.Encapsulate(pk) // the server
	if err != nil {
		panic(err)
	}
	ssClient, err := s.Decapsulate(sk, ct) // the client
	if err != nil {
		panic(err)
	}
	pkb, _ := pk.MarshalBinary()
	fmt.Println(len(pkb), len(ct), len(ssClient), bytes.Equal(ssClient, ssServer))
	// Output: 1158 1039 32 true
}
