package server

import (
	"io"
	"os"

	"github.com/pkg/sftp"
)

// internalSFTPEnv marks a re-executed pqsshd that serves internal-sftp.
const internalSFTPEnv = "PQSSHD_INTERNAL_SFTP"

// RunInternal serves an internal helper when the process was started as
// one by pqsshd (today: internal-sftp, run as the logged-in user so that
// the file server has exactly the user's privileges) and exits; otherwise
// it returns. Call it first thing in main and in TestMain.
func RunInternal() {
	if os.Getenv(internalSFTPEnv) != "1" || len(os.Args) == 0 || os.Args[0] != "pqsshd-internal-sftp" {
		return
	}
	os.Unsetenv(internalSFTPEnv)
	if home := os.Getenv("HOME"); home != "" {
		os.Chdir(home)
	}
	srv, err := sftp.NewServer(stdio{})
	if err != nil {
		os.Exit(1)
	}
	if err := srv.Serve(); err != nil && err != io.EOF {
		os.Exit(1)
	}
	os.Exit(0)
}

type stdio struct{}

func (stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdio) Close() error                { return os.Stdout.Close() }
