package authkeys

import "testing"

// FuzzParse: any authorized_keys content parses without panicking, and
// every entry it returns has a key.
func FuzzParse(f *testing.F) {
	f.Add([]byte(key + " c\n"))
	f.Add([]byte(`restrict,command="a\"b",from="x" ` + key))
	f.Add([]byte(`expiry-time="2030" ` + key))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := Parse(data)
		for _, e := range entries {
			if e.Key == nil {
				t.Fatal("entry without a key")
			}
		}
	})
}
