package config

import (
	"fmt"
	"net"
	"strings"
)

// Resolver looks a name up for hostname canonicalization: it returns the
// name's canonical name (its CNAME target, or the name itself) when the
// name resolves, and an error when it does not.
type Resolver func(name string) (canonical string, err error)

// systemResolve resolves with the system's resolver: the name must have
// an address; its canonical name follows CNAMEs.
func systemResolve(name string) (string, error) {
	if _, err := net.LookupHost(name); err != nil {
		return "", err
	}
	cname, err := net.LookupCNAME(name)
	if err != nil || cname == "" {
		return name, nil
	}
	return strings.TrimSuffix(cname, "."), nil
}

// finalPass does OpenSSH's hostname canonicalization (ssh_config(5),
// CanonicalizeHostname) and, when it is enabled or a "Match final" was
// seen, reads the configuration files again with the canonical name:
// Host lines then match it, "Match canonical" and "Match final" match,
// and values already set keep their first value.
func (o *Options) finalPass(configFile string) error {
	mode := strings.ToLower(o.Value("canonicalizehostname"))
	enabled := mode == "yes" || mode == "always"
	if !enabled && !o.wantFinal {
		return nil
	}
	host, err := o.expandHostName()
	if err != nil {
		return fmt.Errorf("HostName: %v", err)
	}
	if host == "" {
		host = o.ctx.Host
	}
	if net.ParseIP(host) == nil {
		host = strings.ToLower(host)
	}
	if enabled {
		proxied := (o.Set("proxyjump") && !strings.EqualFold(o.Value("proxyjump"), "none")) ||
			(o.Set("proxycommand") && !strings.EqualFold(o.Value("proxycommand"), "none"))
		if mode == "always" || !proxied {
			if host, err = o.canonicalize(host); err != nil {
				return err
			}
		}
		if !o.wantFinal {
			o.debug(1, "hostname canonicalisation enabled, will re-parse configuration")
		}
	}
	o.debug(1, "re-parsing configuration")
	o.final = true
	o.canonHost = host
	o.vals["hostname"] = []string{strings.ReplaceAll(host, "%", "%%")}
	return o.readFiles(configFile)
}

// canonicalize is OpenSSH's resolve_canonicalize: a name with at most
// CanonicalizeMaxDots dots is tried with each CanonicalDomains suffix (a
// name ending in '.' is taken as fully qualified); the first that
// resolves replaces it, or its CNAME target when
// CanonicalizePermittedCNAMEs allows. If none resolves the name is kept
// (CanonicalizeFallbackLocal yes) or the connection fails.
func (o *Options) canonicalize(host string) (string, error) {
	if net.ParseIP(host) != nil {
		o.debug(2, "resolve_canonicalize: hostname %s is address", host)
		return host, nil
	}
	resolve := o.ctx.Resolve
	if resolve == nil {
		resolve = systemResolve
	}
	maxDots := 1
	if v, ok := o.typed["canonicalizemaxdots"].(int); ok {
		maxDots = v
	}
	fallback := true
	if v, ok := o.typed["canonicalizefallbacklocal"].(bool); ok {
		fallback = v
	}
	var candidates []string
	if fq, ok := strings.CutSuffix(host, "."); ok {
		candidates = []string{fq}
		host = fq
	} else if dots := strings.Count(host, "."); dots > maxDots {
		o.debug(3, "resolve_canonicalize: not canonicalizing hostname \"%s\" (max dots %d)", host, maxDots)
		return host, nil
	} else {
		for _, d := range o.Values("canonicaldomains") {
			if strings.EqualFold(d, "none") {
				continue
			}
			candidates = append(candidates, host+"."+strings.TrimSuffix(d, "."))
		}
	}
	for _, full := range candidates {
		o.debug(3, "resolve_canonicalize: attempting \"%s\" => \"%s\"", host, full)
		cname, err := resolve(full)
		if err != nil {
			o.debug(3, "resolve_canonicalize: lookup %s: %v", full, err)
			continue
		}
		cname = strings.ToLower(strings.TrimSuffix(cname, "."))
		if cname != "" && cname != full && o.cnamePermitted(full, cname) {
			o.debug(2, "check_follow_cname: following CNAME %s => %s", full, cname)
			full = cname
		}
		o.debug(1, "Canonicalized hostname \"%s\" => \"%s\"", host, full)
		return full, nil
	}
	if !fallback {
		return "", fmt.Errorf("Could not resolve host \"%s\"", host)
	}
	o.debug(2, "resolve_canonicalize: host %s not found in any suffix", host)
	return host, nil
}

// cnamePermitted applies CanonicalizePermittedCNAMEs, a list of
// source_domain_list:target_domain_list rules.
func (o *Options) cnamePermitted(name, cname string) bool {
	for _, rule := range o.Values("canonicalizepermittedcnames") {
		if strings.EqualFold(rule, "none") {
			return false
		}
		src, dst, ok := strings.Cut(rule, ":")
		if !ok {
			continue
		}
		if matchCommaList(name, src) && matchCommaList(cname, dst) {
			return true
		}
	}
	return false
}
