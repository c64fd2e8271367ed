#!/usr/bin/env python3
"""Extracts the ML-DSA known-answer subsets in this directory.

Usage: extract.py WYCHEPROOF_CHECKOUT CIRCL_MLDSA_TESTDATA

  WYCHEPROOF_CHECKOUT   a checkout of github.com/C2SP/wycheproof
                        (testvectors_v1/mldsa_{44,65,87}_{sign_seed,verify}_test.json)
  CIRCL_MLDSA_TESTDATA  github.com/cloudflare/circl@v1.6.5/sign/mldsa/testdata, which
                        holds NIST's ACVP ML-DSA-keyGen-FIPS204 vector set (vsId 42)

Writes mldsa{44,65,87}.json.gz. Selection (deterministic):
  keyGen: the first 5 ACVP keyGen cases of the parameter set (seed -> pk, SHA-256 of sk)
  sign:   the Wycheproof sign_seed cases with a message that are signed
          deterministically (no "rnd", not "Internal"): the first 20 valid ones
          and every invalid one (a context longer than 255 bytes, to be refused)
  verify: every invalid Wycheproof verify case except that each flag set keeps
          at most 6, plus the first 12 valid ones
"""
import collections, gzip, hashlib, json, os, subprocess, sys

wp, circl = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
commit = subprocess.run(["git", "-C", wp, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()

def acvp(kind):
    with gzip.open(os.path.join(circl, "ML-DSA-%s-FIPS204" % kind, "prompt.json.gz")) as f:
        prompt = json.load(f)
    with gzip.open(os.path.join(circl, "ML-DSA-%s-FIPS204" % kind, "expectedResults.json.gz")) as f:
        results = json.load(f)
    res = {t["tcId"]: t for g in results["testGroups"] for t in g["tests"]}
    return prompt, res

kg_prompt, kg_res = acvp("keyGen")

for level in ("44", "65", "87"):
    out = collections.OrderedDict()
    out["parameterSet"] = "ML-DSA-" + level
    out["sources"] = {
        "keyGen": "NIST ACVP-Server ML-DSA-keyGen-FIPS204, vsId %d (as shipped in circl v1.6.5 sign/mldsa/testdata)" % kg_prompt["vsId"],
        "sign, verify": "C2SP/wycheproof %s testvectors_v1/mldsa_%s_{sign_seed,verify}_test.json" % (commit, level),
    }
    kg = []
    for g in kg_prompt["testGroups"]:
        if g["parameterSet"] != out["parameterSet"]:
            continue
        for t in g["tests"][:5]:
            r = kg_res[t["tcId"]]
            kg.append({"tcId": t["tcId"], "seed": t["seed"].lower(), "pk": r["pk"].lower(),
                       "skSHA256": hashlib.sha256(bytes.fromhex(r["sk"])).hexdigest()})
    out["keyGen"] = kg

    d = json.load(open(os.path.join(wp, "testvectors_v1", "mldsa_%s_sign_seed_test.json" % level)))
    sign = []
    for g in d["testGroups"]:
        for t in g["tests"]:
            if "msg" not in t or "rnd" in t or "Internal" in t["flags"]:
                continue
            if "IncorrectPrivateKeyLength" in t["flags"]:
                continue
            if t["result"] == "valid" and sum(1 for x in sign if x["result"] == "valid") >= 20:
                continue
            e = {"tcId": t["tcId"], "comment": t["comment"], "seed": g["privateSeed"],
                 "pkSHA256": hashlib.sha256(bytes.fromhex(g["publicKey"])).hexdigest(),
                 "msg": t["msg"], "ctx": t.get("ctx", ""), "result": t["result"]}
            if t["result"] == "valid":
                e["sig"] = t["sig"]
            sign.append(e)
    out["sign"] = sign

    d = json.load(open(os.path.join(wp, "testvectors_v1", "mldsa_%s_verify_test.json" % level)))
    ver, per_flags, valid = [], collections.Counter(), 0
    for g in d["testGroups"]:
        for t in g["tests"]:
            if t["result"] == "valid":
                if valid >= 12:
                    continue
                valid += 1
            else:
                key = tuple(t["flags"])
                if per_flags[key] >= 6:
                    continue
                per_flags[key] += 1
            ver.append({"tcId": t["tcId"], "comment": t["comment"], "flags": t["flags"],
                        "pk": g["publicKey"], "msg": t["msg"], "ctx": t.get("ctx", ""),
                        "sig": t["sig"], "result": t["result"]})
    out["verify"] = ver
    with gzip.GzipFile(os.path.join(here, "mldsa%s.json.gz" % level), "wb", mtime=0) as f:
        f.write(json.dumps(out, indent=1).encode())
    print(level, len(kg), len(sign), len(ver))
