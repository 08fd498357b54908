#!/usr/bin/env python3
"""Deterministic tag2domain-shaped data set for bench/tags/run_tags_load_bench.

N domains (dom1.at .. domN.at) x 3 taxonomies: every domain has one open tag per taxonomy, and
~30% of (domain, taxonomy) pairs also an ended row (the tag before, [older start, open start)).
Taxonomy 3's tags carry values (confidence-high/medium/low) on ~70% of its rows. Tag popularity is
Zipf-like, so tags range from ~25% of the domains down to a few hundred per million.

Writes PostgreSQL COPY text files into OUT for both schemas, with the same ids on both sides:
  upstream (tag2domain 0.8.4 layout): up_taxonomy, up_tags, up_values, up_domains, up_domain_tags
  ours (src/dg/store/schema/0002_tags.sql): dg_taxonomies, dg_tags, dg_values, dg_entities,
  dg_mappings
and `summary.json` (counts, the most common tag and a modest one for domains/bytag).
"""
import argparse
import datetime as dt
import json
import os
import random

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
T0 = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
MEASURED = dt.datetime(2021, 6, 1, tzinfo=dt.timezone.utc)

LOWCONTENT = ["ppc", "for-sale", "parked", "blank-page", "under-construction", "default-page",
              "redirect", "error-page", "login-only", "placeholder", "coming-soon", "expired",
              "dns-failure", "connection-failure", "http-error", "tls-error", "empty-site",
              "single-image", "link-farm", "cant-classify-other"]
LANGUAGES = ["de", "en", "fr", "it", "es", "nl", "pl", "cs", "hu", "sk", "sl", "hr", "sr", "ro",
             "bg", "ru", "uk", "tr", "el", "pt", "sv", "da", "no", "fi", "et", "lv", "lt", "ja",
             "zh", "ko", "ar", "he", "fa", "hi", "th", "vi", "id", "ms", "sq", "mk"]
INDUSTRY = ["finance::banking", "finance::insurance", "finance::crypto", "retail::fashion",
            "retail::food", "retail::electronics", "services::legal", "services::health",
            "services::tourism", "public::government", "public::education", "media::news",
            "media::blog", "tech::hosting", "tech::software"]
CONFIDENCE = ["confidence-high", "confidence-medium", "confidence-low"]


T0S = int((T0 - EPOCH).total_seconds())
MEASUREDS = int((MEASURED - EPOCH).total_seconds())
_days = {}


def day(sec):
    """(YYYY-MM-DD, YYYYMMDD) of a UTC epoch second, cached per day."""
    k = sec // 86400
    if k not in _days:
        d = (EPOCH + dt.timedelta(days=k)).date()
        _days[k] = (d.isoformat(), d.strftime("%Y%m%d"))
    return _days[k]


def ts(sec):
    h, r = divmod(sec % 86400, 3600)
    return f"{day(sec)[0]} {h:02d}:{r // 60:02d}:{r % 60:02d}+00"


def ymd(sec):
    return day(sec)[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--domains", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("out")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    f = {k: open(os.path.join(a.out, k), "w") for k in
         ["up_taxonomy", "up_tags", "up_values", "up_domains", "up_domain_tags",
          "dg_taxonomies", "dg_tags", "dg_values", "dg_entities", "dg_mappings"]}

    taxonomies = [("lowcontent", "Low content domain (RRDG-like)", [f"lc-{n}" for n in LOWCONTENT], 1.05),
                  ("website-language", "Website languages", [f"lang-{n}" for n in LANGUAGES], 2.0),
                  ("industry", "Domain industry (DIT-like), with confidence values", INDUSTRY, 0.8)]
    tag_id = 0
    value_id = 0
    plan = []  # per taxonomy: (tax_id, [tag ids], cum weights, {tag: [value ids]})
    tag_names = {}
    for tax_id, (name, desc, tags, zipf) in enumerate(taxonomies, start=1):
        f["up_taxonomy"].write(f"{tax_id}\t{name}\t{desc}\t1\tt\tt\tf\tt\thttps://example.org/{name}\tf\tf\n")
        f["dg_taxonomies"].write(f"{tax_id}\t{name}\t{desc}\t1\t1\t1\t0\t1\thttps://example.org/{name}\t0\t0\n")
        ids, weights, values = [], [], {}
        for k, tag in enumerate(tags):
            tag_id += 1
            ids.append(tag_id)
            tag_names[tag_id] = (name, tag)
            weights.append(1.0 / (k + 1) ** zipf)
            cat = tag.rsplit("::", 1)[0] if "::" in tag else ""
            f["up_tags"].write(f"{tag_id}\t{tag}\t{tag} ({name})\t{tax_id}\t{{}}\n")
            f["dg_tags"].write(f"{tag_id}\t{tax_id}\t{tag}\t{cat}\t{tag} ({name})\n")
            if tax_id == 3:
                values[tag_id] = []
                for v in CONFIDENCE:
                    value_id += 1
                    values[tag_id].append(value_id)
                    f["up_values"].write(f"{value_id}\t{v}\t{tag_id}\n")
                    f["dg_values"].write(f"{value_id}\t{tag_id}\t{v}\n")
        cum, s = [], 0.0
        for w in weights:
            s += w
            cum.append(s)
        plan.append((tax_id, ids, cum, values))

    open_count = {t: 0 for t in tag_names}
    rows = history = 0
    upw, dgw = f["up_domain_tags"].write, f["dg_mappings"].write
    for d in range(1, a.domains + 1):
        dn = f"dom{d}.at"
        f["up_domains"].write(f"{d}\t{dn}\n")
        f["dg_entities"].write(f"{d}\tdomain\t{dn}\n")
        for tax_id, ids, cum, values in plan:
            tag = rnd.choices(ids, cum_weights=cum)[0]
            start = T0S + rnd.randrange(365 * 86400)
            measured = MEASUREDS + rnd.randrange(86400 * 30)
            val = rnd.choice(values[tag]) if values and rnd.random() < 0.7 else None
            vs = "\\N" if val is None else str(val)
            open_count[tag] += 1
            rows += 1
            upw(f"{d}\t{tag}\t{ymd(start)}\t\\N\t{tax_id}\t{vs}\t{ts(measured)}\t{ts(start)}\t\\N\tbench\n")
            dgw(f"{d}\tdomain\t{tax_id}\t{tag}\t{vs}\t{start * 1000000}\t\\N\t{measured * 1000000}\tbench\n")
            if rnd.random() < 0.3:  # the tag before: ended when the open one started
                old = rnd.choice([t for t in ids if t != tag])
                ostart = start - rnd.randrange(30, 400) * 86400
                oval = rnd.choice(values[old]) if values and rnd.random() < 0.7 else None
                ovs = "\\N" if oval is None else str(oval)
                rows += 1
                history += 1
                upw(f"{d}\t{old}\t{ymd(ostart)}\t{ymd(start)}\t{tax_id}\t{ovs}\t{ts(start)}\t{ts(ostart)}\t{ts(start)}\tbench\n")
                dgw(f"{d}\tdomain\t{tax_id}\t{old}\t{ovs}\t{ostart * 1000000}\t{start * 1000000}\t{start * 1000000}\tbench\n")
    for fh in f.values():
        fh.close()
    common = max(open_count, key=lambda t: open_count[t])
    target = max(1, a.domains // 2000)
    modest = min(open_count, key=lambda t: (abs(open_count[t] - target), t))
    summary = {
        "domains": a.domains, "taxonomies": len(taxonomies), "tags": tag_id, "values": value_id,
        "rows": rows, "open_rows": rows - history, "ended_rows": history,
        "common_tag": {"taxonomy": tag_names[common][0], "tag": tag_names[common][1],
                       "open_domains": open_count[common]},
        "modest_tag": {"taxonomy": tag_names[modest][0], "tag": tag_names[modest][1],
                       "open_domains": open_count[modest]},
    }
    with open(os.path.join(a.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
