package server

import (
	"sync"
	"time"
)

// Per-source penalties after OpenSSH 9.8's PerSourcePenalties defaults
// (sshd_config(5)): a connection that fails authentication adds authfail
// seconds to its source's penalty, one that closes without authenticating
// adds noauth; a source whose penalty exceeds min is refused until the
// penalty runs out; no penalty exceeds max.
const (
	penaltyAuthFail   = 5 * time.Second
	penaltyNoAuth     = 1 * time.Second
	penaltyMin        = 15 * time.Second
	penaltyMax        = 600 * time.Second
	penaltyMaxSources = 65536
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
func (p *penalties) record(source string, authFailed bool) {
	add := penaltyNoAuth
	if authFailed {
		add = penaltyAuthFail
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.until) >= penaltyMaxSources {
		for k, e := range p.until {
			if now.After(e.until) {
				delete(p.until, k)
			}
		}
		if len(p.until) >= penaltyMaxSources {
			return // table full of live penalties: fail open, as OpenSSH's overflow default
		}
	}
	e := p.until[source]
	if e.until.Before(now) {
		e = penalty{until: now}
	}
	e.until = e.until.Add(add)
	e.score += add
	if e.until.Sub(now) > penaltyMax {
		e.until = now.Add(penaltyMax)
	}
	if e.score >= penaltyMin {
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
