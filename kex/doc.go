// Package kex implements pqssh's hybrid key-exchange methods and registers
// them into the x/crypto fork's ssh package.
package kex
