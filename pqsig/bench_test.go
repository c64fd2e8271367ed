package pqsig

import "testing"

// BenchmarkSign and BenchmarkVerify measure one SSH signature (a 64-byte
// exchange hash, as a host key signs) per scheme.
func BenchmarkSign(b *testing.B) {
	for _, name := range DefaultOrder {
		s, _ := Lookup(name)
		k, err := s.GenerateKey(nil)
		if err != nil {
			b.Fatal(err)
		}
		data := make([]byte, 64)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := k.Sign(nil, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, name := range DefaultOrder {
		s, _ := Lookup(name)
		k, _ := s.GenerateKey(nil)
		data := make([]byte, 64)
		sig, _ := k.Sign(nil, data)
		pub := k.Public()
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := pub.Verify(data, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGenerateKey(b *testing.B) {
	for _, name := range DefaultOrder {
		s, _ := Lookup(name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				k, err := s.GenerateKey(nil)
				if err != nil {
					b.Fatal(err)
				}
				k.Destroy()
			}
		})
	}
}
