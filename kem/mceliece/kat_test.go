package mceliece

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/pqssh/pqssh/internal/kat"
)

// Published single digests (SHA-256 of KAT entry count 0, liboqs/PQClean).
const (
	digestPlain = "4c825bf86378d76b197caca6f957942c0cc98b50ce4a6b26cad6efa25d1d20c6"
	digestF     = "1fa84d1abd8ef104cdcf75277ca4399475945e97087dde3183a09415e1d61987"
)

func katRound(s *KEMScheme) kat.KEM {
	return func(r io.Reader) (pk, sk, ct, ss []byte, err error) {
		p, k, err := s.GenerateKeyPairFrom(r)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ct, ss, err = s.EncapsulateFrom(p, r)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ss2, err := s.Decapsulate(k, ct)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if !bytes.Equal(ss, ss2) {
			return nil, nil, nil, nil, fmt.Errorf("decapsulated %x, encapsulated %x", ss2, ss)
		}
		pk, _ = p.MarshalBinary()
		sk, _ = k.MarshalBinary()
		return pk, sk, ct, ss, nil
	}
}

func TestKAT(t *testing.T) {
	for _, tc := range []struct {
		s      *KEMScheme
		digest string
	}{{plainScheme, digestPlain}, {fScheme, digestF}} {
		t.Run(tc.s.Name(), func(t *testing.T) {
			entries, err := kat.Generate(katRound(tc.s), 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := kat.SingleDigest(entries); got != tc.digest {
				t.Errorf("single digest %s, want %s", got, tc.digest)
			}
		})
	}
}
