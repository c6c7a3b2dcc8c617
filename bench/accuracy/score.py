#!/usr/bin/env python3
"""Scores a discovered OpenAPI document against the spec and the truth file that
traffic_from_spec.py wrote (metric definitions: README.md here).

  score.py SPEC TRUTH OPENAPI_OUT [--json]
"""
import argparse
import json
import os
import re
import sys

sys.dont_write_bytecode = True   # keep the source tree (tests/fixtures too) free of __pycache__

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from speclib import HTTP_METHODS, Spec, is_json_media, normalize_template  # noqa: E402


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else (0.0 if p is not None and r is not None else None)
    return p, r, f


def seg_regex(seg):
    out, pos = "", 0
    for m in re.finditer(r"\{\+?\}", seg):
        out += re.escape(seg[pos:m.start()]) + "[^/]+"
        pos = m.end()
    return re.compile(out + re.escape(seg[pos:]) + r"\Z")


def template_regex(norm):
    """Regex of a normalised template over concrete paths ({} one segment part, {+} any rest)."""
    out, pos = "", 0
    for m in re.finditer(r"\{\+?\}", norm):
        out += re.escape(norm[pos:m.start()]) + (".+" if m.group(0) == "{+}" else "[^/]+")
        pos = m.end()
    return re.compile(out + re.escape(norm[pos:]) + r"/?\Z")


def seg_relation(spec_seg, our_seg):
    """eq | general (ours has a parameter where the spec has literal text) | specific (the
    spec's parameter stayed literal in ours) | diff."""
    if spec_seg == our_seg:
        return "eq"
    if "{}" in our_seg and seg_regex(our_seg).match(spec_seg.replace("{}", "\x00")):
        return "general"
    if "{}" in spec_seg and seg_regex(spec_seg).match(our_seg.replace("{}", "\x00")):
        return "specific"
    return "diff"


def align(spec_norm, our_norm):
    """None, or (class, differing segment count) when every segment is eq/general/specific."""
    a, b = spec_norm.strip("/").split("/"), our_norm.strip("/").split("/")
    if len(a) != len(b) or "{+}" in our_norm:
        return None
    rels = [seg_relation(x, y) for x, y in zip(a, b)]
    if "diff" in rels:
        return None
    g, s = "general" in rels, "specific" in rels
    return ("mixed" if g and s else "over_general" if g else "over_specific" if s else "exact"), sum(r != "eq" for r in rels)


def our_operations(doc):
    """[(METHOD, normalised path, path as written, operation)] of the document's paths."""
    ours = Spec(doc)
    out = []
    for path, item in (doc.get("paths") or {}).items():
        item = ours.deref(item) or {}
        common = [ours.deref(p) or {} for p in item.get("parameters") or []]
        ops = [(m.upper(), item[m]) for m in HTTP_METHODS if isinstance(item.get(m), dict)]
        ops += [(m.upper(), o) for m, o in (item.get("x-gatescope-other-operations") or {}).items() if isinstance(o, dict)]
        for method, op in ops:
            params = common + [ours.deref(p) or {} for p in op.get("parameters") or []]
            greedy = {p.get("name") for p in params if p.get("in") == "path" and p.get("x-gatescope-greedy")}
            out.append((method, normalize_template(path, greedy), path, op))
    return out


def query_names(ours, doc_path_item, op):
    names = set()
    for p in list((doc_path_item or {}).get("parameters") or []) + list(op.get("parameters") or []):
        p = ours.deref(p) or {}
        if p.get("in") == "query" and p.get("name"):
            names.add(p["name"])
    return names


def content_pointers(spec, content):
    """Pointers of every JSON media type's schema in a content map (united)."""
    out = set()
    for mt, media in (content or {}).items():
        media = spec.deref(media) or {}
        if is_json_media(mt) and "schema" in media:
            spec.schema_pointers(media["schema"], out=out)
    return out


def spec_content_pointers(spec, content):
    out = set()
    for mt, media in (content or {}).items():
        media = spec.deref(media) or {}
        if "schema" in media:
            spec.schema_pointers(media["schema"], out=out)
    return out


def score(spec_path, truth_path, out_path):
    spec = Spec.load(spec_path)
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)
    res = {"spec": truth["spec"], "mode": truth["mode"], "requests": truth["requests"]}
    try:
        with open(out_path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        res["error"] = f"cannot read {out_path}: {e}"
        res["valid"] = False
        return res
    ours_spec = Spec(doc)

    # ---- validity
    try:
        from openapi_spec_validator import validate
        validate(doc)
        res["valid"], res["validation_error"] = True, None
    except ImportError:
        res["valid"], res["validation_error"] = None, "openapi-spec-validator is not installed"
    except Exception as e:  # noqa: BLE001 - any validator error means invalid
        res["valid"], res["validation_error"] = False, str(e).split("\n")[0][:300]

    # ---- endpoints
    truth_ops = {(o["method"], o["normalized"]): o for o in truth["operations"]}
    ours = our_operations(doc)
    our_keys, dup = {}, 0
    for method, norm, path, op in ours:
        if (method, norm) in our_keys:
            dup += 1
        our_keys.setdefault((method, norm), (path, op))
    tp_keys = sorted(set(our_keys) & set(truth_ops))
    fp_keys = sorted(set(our_keys) - set(truth_ops))
    fn_keys = sorted(set(truth_ops) - set(our_keys))
    p, r, f1 = prf(len(tp_keys), len(fp_keys), len(fn_keys))
    res["endpoints"] = {"truth": len(truth_ops), "ours": len(our_keys), "duplicates": dup, "tp": len(tp_keys),
                        "fp": len(fp_keys), "fn": len(fn_keys), "precision": p, "recall": r, "f1": f1}

    # ---- false positives and negatives, by kind
    noise = [(n["method"], n["path"]) for n in truth.get("not_endpoints") or []]
    noise_statuses = {str(n["status"]) for n in truth.get("not_endpoints") or []}
    samples = {k: [re.sub(r"/+$", "", s) or "/" for s in o.get("sample_paths") or []] for k, o in truth_ops.items()}
    kinds = {"over_general": [], "over_specific": [], "mixed": [], "noise": [], "greedy": [], "other": []}
    covered = {}
    for method, norm in fp_keys:
        path = our_keys[(method, norm)][0]
        rx = template_regex(norm)
        hits_spec = any(rx.match(s) for (m2, _), ss in samples.items() if m2 == method for s in ss)
        if "{+}" in norm:
            kinds["greedy"].append(f"{method} {path}")
            continue
        op_statuses = set(map(str, (our_keys[(method, norm)][1].get("responses") or {})))
        only_noise_statuses = bool(op_statuses) and op_statuses <= noise_statuses
        if (not hits_spec or only_noise_statuses) and any(m2 == method and rx.match(p2) for m2, p2 in noise):
            kinds["noise"].append(f"{method} {path}")
            continue
        best = None
        for (m2, n2) in truth_ops:
            if m2 != method:
                continue
            a = align(n2, norm)
            if a and a[0] != "exact" and (best is None or a[1] < best[1][1]):
                best = ((m2, n2), a)
        if best:
            kinds[best[1][0]].append(f"{method} {path}  ~  {truth_ops[best[0]]['template']}")
            covered.setdefault(best[0], set()).add(best[1][0])
        else:
            kinds["other"].append(f"{method} {path}")
    res["false_positives"] = {k: len(v) for k, v in kinds.items()}
    res["examples"] = {k: v[:5] for k, v in kinds.items() if v}
    fn_kinds = {"over_general": 0, "over_specific": 0, "mixed": 0, "missing": 0}
    missing = []
    for k in fn_keys:
        c = covered.get(k)
        if not c:
            fn_kinds["missing"] += 1
            missing.append(f"{k[0]} {truth_ops[k]['template']}")
        else:
            fn_kinds["mixed" if len(c) > 1 else next(iter(c))] += 1
    res["false_negatives"] = fn_kinds
    if missing:
        res["examples"]["missing"] = missing[:5]

    # ---- query parameters and bodies, per exactly matched operation
    obs = truth.get("observable") or {}
    q = [0, 0, 0]
    bodies = {"request": [0, 0, 0, 0], "response": [0, 0, 0, 0]}   # tp_precision, n_ours, tp_recall, n_truth
    for key in tp_keys:
        t = truth_ops[key]
        path, op = our_keys[key]
        item = (doc.get("paths") or {}).get(path) or {}
        if obs.get("query"):
            mine, sent = query_names(ours_spec, item, op), set(t["query_sent"])
            q[0] += len(mine & sent)
            q[1] += len(mine - sent)
            q[2] += len(sent - mine)
        if not obs.get("bodies"):
            continue
        spec_op = ((spec.doc.get("paths") or {}).get(t["template"]) or {}).get(t["method"].lower()) or {}
        # request body
        rb = ours_spec.deref(op.get("requestBody")) or {}
        mine = content_pointers(ours_spec, rb.get("content"))
        srb = spec.deref(spec_op.get("requestBody")) or {}
        allowed = set(t["request_pointers_any"]) | spec_content_pointers(spec, srb.get("content"))
        want = set(t["request_pointers"])
        b = bodies["request"]
        b[0] += len(mine & allowed)
        b[1] += len(mine)
        b[2] += len(mine & want)
        b[3] += len(want)
        # responses, per status
        our_resp = op.get("responses") or {}
        spec_resp = spec_op.get("responses") or {}
        statuses = set(map(str, our_resp)) | set(t["responses"])
        for st in statuses:
            ro = ours_spec.deref(our_resp.get(st)) or {}
            mine = content_pointers(ours_spec, ro.get("content"))
            tr = t["responses"].get(st) or {}
            so = spec.deref(spec_resp.get(st) or spec_resp.get(int(st) if st.isdigit() else st)) or {}
            allowed = set(tr.get("pointers_any") or []) | spec_content_pointers(spec, so.get("content"))
            want = set(tr.get("pointers") or [])
            b = bodies["response"]
            b[0] += len(mine & allowed)
            b[1] += len(mine)
            b[2] += len(mine & want)
            b[3] += len(want)
    if obs.get("query"):
        qp, qr, qf = prf(*q)
        res["query"] = {"tp": q[0], "fp": q[1], "fn": q[2], "precision": qp, "recall": qr, "f1": qf}
    else:
        res["query"] = None
    if obs.get("bodies"):
        res["bodies"] = {}
        tot = [0, 0, 0, 0]
        for side, b in bodies.items():
            res["bodies"][side] = {"ours": b[1], "correct": b[0], "truth": b[3], "found": b[2],
                                   "precision": b[0] / b[1] if b[1] else None, "recall": b[2] / b[3] if b[3] else None}
            tot = [x + y for x, y in zip(tot, b)]
        res["bodies"]["all"] = {"ours": tot[1], "correct": tot[0], "truth": tot[3], "found": tot[2],
                                "precision": tot[0] / tot[1] if tot[1] else None, "recall": tot[2] / tot[3] if tot[3] else None}
    else:
        res["bodies"] = None
    res["matched_operations"] = len(tp_keys)
    return res


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def print_report(res, out=sys.stdout):
    w = out.write
    w(f"{res['spec']} / {res['mode']} ({res['requests']} requests)\n")
    if res.get("error"):
        w(f"  ERROR: {res['error']}\n")
        return
    e = res["endpoints"]
    w(f"  endpoints   P {fmt(e['precision'])}  R {fmt(e['recall'])}  F1 {fmt(e['f1'])}   "
      f"(spec {e['truth']}, ours {e['ours']}, matched {e['tp']}, FP {e['fp']}, FN {e['fn']}, duplicates {e['duplicates']})\n")
    fp, fn = res["false_positives"], res["false_negatives"]
    w(f"  FP kinds    over-general {fp['over_general']}  over-specific {fp['over_specific']}  mixed {fp['mixed']}  "
      f"noise {fp['noise']}  greedy {fp['greedy']}  other {fp['other']}\n")
    w(f"  FN kinds    over-general {fn['over_general']}  over-specific {fn['over_specific']}  mixed {fn['mixed']}  missing {fn['missing']}\n")
    qd = res["query"]
    w(f"  query       " + ("n/a (not observable in this mode)" if qd is None else
                          f"P {fmt(qd['precision'])}  R {fmt(qd['recall'])}  (TP {qd['tp']}, FP {qd['fp']}, FN {qd['fn']})") + "\n")
    if res["bodies"] is None:
        w("  bodies      n/a (not observable in this mode)\n")
    else:
        for side in ("request", "response", "all"):
            b = res["bodies"][side]
            w(f"  body {side:<8} P {fmt(b['precision'])}  R {fmt(b['recall'])}  (ours {b['ours']}, correct {b['correct']}; "
              f"untruncated truth {b['truth']}, found {b['found']})\n")
    w(f"  valid       {res['valid']}" + (f"  ({res['validation_error']})" if res.get("validation_error") else "") + "\n")
    for k, ex in (res.get("examples") or {}).items():
        w(f"  e.g. {k}:\n")
        for x in ex:
            w(f"      {x}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec")
    ap.add_argument("truth")
    ap.add_argument("openapi_out")
    ap.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = ap.parse_args(argv)
    res = score(args.spec, args.truth, args.openapi_out)
    if args.json:
        json.dump(res, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
