package cli

import "testing"

// TestSubsystemStatusAfterEOF: a subsystem's exit status may arrive well
// after its output's EOF (the server waits for its process); pqssh -s waits
// for it as ssh(1) does, instead of closing the channel and exiting 255
// (which made scp -S pqssh fail now and then).
func TestSubsystemStatusAfterEOF(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-s", "test", "pqssh-test-late-status")
	if r.code != 7 || r.stdout != "out\n" {
		t.Fatalf("-s with a late exit status: %v", r)
	}
}
