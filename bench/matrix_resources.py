"""Per run of a test-all summary: verdict, peak cluster RSS (from matrix_resources.sh's samples,
"<epoch s> <KiB>" per line), time until Flink was ready, wall time and each Db's set-up time.

usage: matrix_resources.py SUMMARY.json SAMPLES
"""
import datetime, json, os, sys
summary, samples = sys.argv[1], sys.argv[2]
rows = [tuple(map(int, l.split())) for l in open(samples)]
def stamp(line):
    return datetime.datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S").timestamp()
def submit_s(store):
    """Seconds from the first submit-job invoke to its ok (in application and per-job modes this
    is the deployment of the job's YARN application)."""
    t = {}
    for line in open(f"{store}/history.jsonl"):
        o = json.loads(line)
        if o["f"] == "submit-job" and o["type"] in ("invoke", "ok") and o["type"] not in t:
            t[o["type"]] = o["time"]
    return (t["ok"] - t["invoke"]) / 1e9 if len(t) == 2 else float("nan")
print(f"\n{'test':48} {'verdict':8} {'peak RSS GiB':>12} {'ready s':>8} {'submit s':>8} {'wall s':>7}  set-up per Db (s)")
for r in json.load(open(summary))["runs"]:
    store = r["store"]
    if not store or not os.path.exists(f"{store}/jepsen.log"):
        print(f"{r['test']:48} {r['verdict']:8}")
        continue
    lines = [l for l in open(f"{store}/jepsen.log") if l[:2] == "20"]
    t0, t1 = stamp(lines[0]), stamp(lines[-1])
    peak = max((rss for t, rss in rows if t0 <= t <= t1 + 1), default=0) / 1048576
    tm = json.load(open(f"{store}/results.json")).get("timings", {})
    setups = ", ".join(f"{k[6:-2]} {v:.1f}" for k, v in tm.items() if k.startswith("setup_"))
    ready = tm.get("start_to_flink_ready_s", 0)
    print(f"{r['test']:48} {r['verdict']:8} {peak:12.2f} {ready:8.1f} {submit_s(store):8.1f} "
          f"{tm.get('total_s', 0):7.0f}  {setups}")
