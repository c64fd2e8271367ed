// Package faultinject lets a test binary make pqsshd fail on purpose at a
// chosen point, to show what a fault there takes down (for example that a
// crash before authentication ends only that connection's process).
//
// Nothing in a production build sets these hooks: they are assigned only
// by the init function of a _test.go file, so they exist in test binaries
// alone (which stand in for pqsshd in the command's tests).
package faultinject

// PreauthUser, when not nil, is called with the user name of every
// public-key authentication request before pqsshd looks at it: the user
// name is the first attacker-chosen string the server parses after the
// key exchange.
var PreauthUser func(user string)
