#!/usr/bin/env python3
# One row of bench/nemesis_table.sh: NEMESIS EXIT_CODE RUN_DIR -> a Markdown table row.
import json, sys
nem, rc, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    res = json.load(open(f"{run}/results.json"))
except Exception as e:
    print(f"| {nem} | exit {rc} (no results: {e}) | | | | |"); sys.exit()
ops = [json.loads(l) for l in open(f"{run}/history.jsonl")]
done = [o for o in ops if o["process"] == "nemesis" and o["value"] is not None
        and o["f"] not in ("heal", "process-started") and not o["f"].endswith("-stop")]
hit = [o for o in done if not (isinstance(o["value"], dict) and o["value"].get("no-target"))]
def fmt(m):
    s = res["recovery"][m]["summary"]
    if not s["count"]:
        return "-"
    return f'{s["min"]:.1f} / {s["median"]:.1f} / {s["max"]:.1f} (n={s["count"]})'
anoms = res.get("availability", {}).get("anomalies", [])
what = "; ".join(sorted({a["what"][:70] for a in anoms}))[:160] or "-"
verdict = {True: "valid", False: "INVALID"}.get(res.get("valid?"), "unknown")
print(f'| {nem} | {verdict} (exit {rc}) | {fmt("harness")} | {fmt("flink")} | {len(hit)}/{len(done)} | {what} | {run} |')
