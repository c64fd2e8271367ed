package server

import (
	"slices"
	"testing"
)

// TestAuthProgress follows sshd's AuthenticationMethods rules: the
// methods of a list succeed in order, a method that does not continue a
// list closes it, the next methods offered are the heads of the lists
// still open, and "any" (no lists) completes at the first success.
func TestAuthProgress(t *testing.T) {
	lists := [][]string{{"publickey", "keyboard-interactive"}, {"publickey", "password"}, {"password", "publickey", "password"}}
	var p authProgress
	if !p.methodAllowed("keyboard-interactive") {
		t.Fatal("before the first step every method may be tried (the lists are read on the first success)")
	}
	done, next := p.succeed(lists, "publickey")
	if done || !slices.Equal(next, []string{"keyboard-interactive", "password"}) {
		t.Fatalf("after publickey: done %v next %v", done, next)
	}
	if p.methodAllowed("publickey") || !p.methodAllowed("password") || !p.methodAllowed("keyboard-interactive") {
		t.Fatal("after publickey only keyboard-interactive and password may follow")
	}
	if done, _ := p.succeed(lists, "keyboard-interactive"); !done {
		t.Fatal("publickey then keyboard-interactive completes the first list")
	}

	var q authProgress
	done, next = q.succeed(lists, "password")
	if done || !slices.Equal(next, []string{"publickey"}) {
		t.Fatalf("after password: done %v next %v", done, next)
	}
	done, next = q.succeed(lists, "publickey")
	if done || !slices.Equal(next, []string{"password"}) {
		t.Fatalf("after password,publickey: done %v next %v", done, next)
	}
	if done, _ := q.succeed(lists, "password"); !done {
		t.Fatal("password,publickey,password completes the third list")
	}

	var r authProgress
	if done, _ := r.succeed(nil, "password"); !done {
		t.Fatal("AuthenticationMethods any: one method completes the login")
	}

	var s authProgress
	s.succeed([][]string{{"publickey", "password"}}, "publickey")
	if done, next := s.succeed(nil, "keyboard-interactive"); done || len(next) != 0 {
		t.Fatalf("a method that continues no list: done %v next %v, want neither", done, next)
	}
}
