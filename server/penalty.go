package server

import (
	"sync"
	"time"

	"github.com/pqssh/pqssh/server/config"
)

// Per-source penalties after OpenSSH 9.8's PerSourcePenalties
// (sshd_config(5)): a connection that fails authentication adds authfail to
// its source's penalty, one that exceeds LoginGraceTime grace-exceeded, one
// that closes without trying noauth, one whose session process crashed
// before authentication crash; a source whose accumulated penalty
// reaches min is refused until the penalty runs out; no penalty exceeds
// max; at most max-sources sources are tracked (then new ones are not,
// "permissive").

// penaltyKind is why a connection is penalized.
type penaltyKind int

const (
	penaltyNoAuth penaltyKind = iota
	penaltyAuthFail
	penaltyGraceExceeded
	penaltyCrash
)

// penalty is one source's record: the end of its penalty, the penalty
// accumulated since the source was last clean, and whether that reached min
// so that the source is refused until the end.
type penalty struct {
	until    time.Time
	score    time.Duration
	enforced bool
}

type penalties struct {
	mu    sync.Mutex
	until map[string]penalty // by source address
	now   func() time.Time
}

func newPenalties() *penalties {
	return &penalties{until: map[string]penalty{}, now: time.Now}
}

// record adds a connection's penalty for source.
func (p *penalties) record(source string, kind penaltyKind, c config.Penalties) {
	add := c.NoAuth
	switch kind {
	case penaltyAuthFail:
		add = c.AuthFail
	case penaltyGraceExceeded:
		add = c.GraceExceeded
	case penaltyCrash:
		add = c.Crash
	}
	if add <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.until) >= c.MaxSources {
		for k, e := range p.until {
			if now.After(e.until) {
				delete(p.until, k)
			}
		}
		if len(p.until) >= c.MaxSources {
			return // table full of live penalties: fail open, as OpenSSH's overflow default
		}
	}
	e := p.until[source]
	if e.until.Before(now) {
		e = penalty{until: now}
	}
	e.until = e.until.Add(add)
	e.score += add
	if e.until.Sub(now) > c.Max {
		e.until = now.Add(c.Max)
	}
	if e.score >= c.Min {
		e.enforced = true
	}
	p.until[source] = e
}

// penalized reports whether source is currently refused, and until when.
func (p *penalties) penalized(source string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.until[source]
	if !ok {
		return time.Time{}, false
	}
	if !e.until.After(p.now()) {
		delete(p.until, source)
		return time.Time{}, false
	}
	return e.until, e.enforced
}
