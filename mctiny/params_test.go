package mctiny

import "testing"

// TestParameters checks the derived parameters against the table of
// mctiny6688128 (notes/mctiny.md, draft-pqssh-mctiny-ssh-00 section 4).
func TestParameters(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"rows m*t", Rows, 1664},
		{"cols k", Cols, 5024},
		{"row bytes", RowBytes, 628},
		{"public key", PublicKeySize, 1044992},
		{"ciphertext", CiphertextSize, 208},
		{"e bytes", ErrorBytes, 836},
		{"l column blocks", ColBlocks, 8},
		{"r row blocks", RowBlocks, 119},
		{"block bytes", BlockBytes, 1106},
		{"pieces", Pieces, 17},
		{"piece bytes", PieceBytes, 13},
		{"C0", C0Size, 81},
		{"C_ij", CijSize, 19},
		{"C_Z", CZSize, 49},
		{"Q0", Q0Size, 792},
		{"R0", R0Size, 121},
		{"Q1", Q1Size, 1227},
		{"R1", R1Size, 140},
		{"Q2", Q2Size, 1185},
		{"R2", R2Size, 134},
		{"Q3", Q3Size, 329},
		{"R3", R3Size, 297},
		{"packets each way", Queries, 971},
		{"bytes to server", BytesToServer, 1189370},
		{"bytes to client", BytesToClient, 135976},
		{"real columns of last block", Cols - (ColBlocks-1)*X, 600},
		{"real rows of last block", Rows - (RowBlocks-1)*Y, 12},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}
