package sntrup761

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/internal/kat"
)

// Published known-answer digests: SHA-256 of KAT entries in internal/kat's
// framing; each comment says whose.
const (
	// Official round 3 KAT, one 4-byte randombytes call per random word.
	perWordSingleDigest = "2eba10673b9077530ba9c063d22f2534e415a6da42985c333c6baee133cc0ff1"
	perWordSS0          = "344CA5E25F6DA5EA95E4A695B1C5446ECA9859334532E4A9537669F012C743A2"
	perWordSS1          = "16C15126F734E51268BA916CE3B39A72E171AE79B8C2B6A68B34AB0DC5621B7E"
	// liboqs, one 3044-byte call per random polynomial.
	bulkSingleDigest = "afc42c3a5b10f4ef69654250097ebda9b9564570f4086744b24a6daf2bd1f89a"
	bulkAllDigest    = "36e1e53d4e6e295e8fb804449958ad9a3719aa350e91933c65791b9117382d57"
)

// katKEM runs one KAT round: key generation, encapsulation, decapsulation
// (whose result must equal the encapsulated secret).
func katKEM(perWord bool) kat.KEM {
	return func(r io.Reader) (pk, sk, ct, ss []byte, err error) {
		rnd := source{r: r, perWord: perWord}
		pub, priv, err := generate(rnd)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ct, ss, err = encapsulate(pub, rnd)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ss2, err := Scheme().Decapsulate(priv, ct)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if !bytes.Equal(ss, ss2) {
			return nil, nil, nil, nil, errMismatch
		}
		pk, _ = pub.MarshalBinary()
		sk, _ = priv.MarshalBinary()
		return pk, sk, ct, ss, nil
	}
}

type mismatchError struct{}

func (mismatchError) Error() string { return "decapsulated secret differs from encapsulated one" }

var errMismatch = mismatchError{}

// readRSP parses the entries of a .rsp file in NIST framing.
func readRSP(t *testing.T, path string) []kat.Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []kat.Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " = ")
		if !ok {
			continue
		}
		if name == "count" {
			out = append(out, kat.Entry{Count: len(out)})
			continue
		}
		b, err := hex.DecodeString(val)
		if err != nil {
			t.Fatalf("%s: %s: %v", path, name, err)
		}
		e := &out[len(out)-1]
		switch name {
		case "seed":
			e.Seed = b
		case "pk":
			e.PK = b
		case "sk":
			e.SK = b
		case "ct":
			e.CT = b
		case "ss":
			e.SS = b
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareEntries reports the first differing byte of each field, to make a
// digest mismatch debuggable.
func compareEntries(t *testing.T, got, want kat.Entry) {
	t.Helper()
	fields := []struct {
		name      string
		got, want []byte
	}{
		{"seed", got.Seed, want.Seed}, {"pk", got.PK, want.PK}, {"sk", got.SK, want.SK},
		{"ct", got.CT, want.CT}, {"ss", got.SS, want.SS},
	}
	for _, f := range fields {
		if bytes.Equal(f.got, f.want) {
			continue
		}
		i := 0
		for i < len(f.got) && i < len(f.want) && f.got[i] == f.want[i] {
			i++
		}
		t.Errorf("count %d: %s differs at byte %d (len %d, want %d)", want.Count, f.name, i, len(f.got), len(f.want))
	}
}

func TestKATPerWord(t *testing.T) {
	got, err := kat.Generate(katKEM(true), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := readRSP(t, "../../testvectors/sntrup761/sntrup761.per-coefficient.count0-1.rsp")
	for i := range want {
		compareEntries(t, got[i], want[i])
	}
	if d := kat.SingleDigest(got); d != perWordSingleDigest {
		t.Errorf("single digest %s, want %s", d, perWordSingleDigest)
	}
	if ss := strings.ToUpper(hex.EncodeToString(got[0].SS)); ss != perWordSS0 {
		t.Errorf("count 0 ss %s, want %s", ss, perWordSS0)
	}
	if ss := strings.ToUpper(hex.EncodeToString(got[1].SS)); ss != perWordSS1 {
		t.Errorf("count 1 ss %s, want %s", ss, perWordSS1)
	}
}

func TestKATBulk(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 1
	}
	got, err := kat.Generate(katKEM(false), n)
	if err != nil {
		t.Fatal(err)
	}
	want := readRSP(t, "../../testvectors/sntrup761/sntrup761.bulk.count0.rsp")
	compareEntries(t, got[0], want[0])
	if d := kat.SingleDigest(got); d != bulkSingleDigest {
		t.Errorf("single digest %s, want %s", d, bulkSingleDigest)
	}
	if n == 100 {
		if d := kat.AllDigest(got); d != bulkAllDigest {
			t.Errorf("all-100 digest %s, want %s", d, bulkAllDigest)
		}
	}
}
