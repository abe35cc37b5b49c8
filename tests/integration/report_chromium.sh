# A run's report.html opens from disk in headless Chromium with no console message (no script
# error), fetches nothing, shows one .fault-band per fault op of history.jsonl (the definition of
# IsFaultOp in src/report/report.h, mirrored below), one history row per op and the verdict of
# results.json; `analyze latest` gives the stored verdict and writes the page again.
#
# REPORT_RUN_DIR=DIR bash report_chromium.sh JEPSEN_FLINK checks an existing run directory's
# report.html only (no cluster, no test run).
source "$(dirname "$0")/lib.sh"

report_tmp=$(mktemp -d /tmp/jf-it-report.XXXXXX)
trap 'rm -rf "$report_tmp"' EXIT

# check_report_chromium RUN_DIR: the checks above on RUN_DIR/report.html; leaves the screenshot in
# $report_tmp/report.png while the script runs.
check_report_chromium() {
  local run=$1
  need_file "$run/report.html"
  local url="file://$run/report.html"
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync)
  timeout 120 chromium "${flags[@]}" --user-data-dir="$(mktemp -d "$report_tmp/profile.XXXXXX")" \
    --window-size=1400,2000 --screenshot="$report_tmp/report.png" "$url" \
    > "$report_tmp/screenshot.log" 2>&1 || fail "chromium --screenshot failed: $(tail -n 3 "$report_tmp/screenshot.log")"
  timeout 120 chromium "${flags[@]}" --user-data-dir="$(mktemp -d "$report_tmp/profile.XXXXXX")" \
    --enable-logging=stderr --v=0 --dump-dom "$url" \
    > "$report_tmp/dom.html" 2> "$report_tmp/console.log" || fail "chromium --dump-dom failed"
  python3 - "$run" "$report_tmp/dom.html" "$report_tmp/console.log" "$report_tmp/report.png" <<'PY'
import json, os, struct, sys
from html.parser import HTMLParser

run, dom_path, console_path, png_path = sys.argv[1:5]

# Console: Chromium logs every console message and uncaught exception of the page as a CONSOLE
# line naming its source; the page logs nothing.
page = os.path.basename(run.rstrip("/")) + "/report.html"
bad = [l.rstrip() for l in open(console_path, errors="replace")
       if "Uncaught" in l or (":CONSOLE" in l and "report.html" in l)]
assert not bad, "console messages from the page:\n" + "\n".join(bad)

def is_fault_op(o):  # IsFaultOp (src/report/report.h)
    return (o.get("process") == "nemesis" and o.get("type") == "info"
            and (o.get("value") is not None or o.get("error") is not None)
            and o.get("f") not in ("heal", "process-started") and not o.get("f", "").endswith("-stop"))

ops = []
for line in open(f"{run}/history.jsonl"):
    try:
        ops.append(json.loads(line))
    except ValueError:
        pass  # a torn last line: the page leaves it out too
faults = [o["index"] for o in ops if is_fault_op(o)]

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bands, self.rows, self.verdict, self.fetches = [], set(), None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "fault-band" in (a.get("class") or "").split():
            self.bands.append(int(a["data-op-index"]))
        if (a.get("id") or "").startswith("op-"):
            self.rows.add(int(a["id"][3:]))
        if a.get("id") == "verdict":
            self.verdict = a.get("data-verdict")
        if tag == "link" or "src" in a or (a.get("href") or "").startswith(("http:", "https:", "//")):
            self.fetches.append((tag, a))
    handle_startendtag = handle_starttag

dom = Dom()
dom.feed(open(dom_path, errors="replace").read())
assert dom.bands == faults, f"fault bands {dom.bands} != fault ops {faults}"
assert dom.rows == {o["index"] for o in ops}, f"{len(dom.rows)} history rows, {len(ops)} ops"
assert not dom.fetches, f"the page refers to outside resources: {dom.fetches[:3]}"
try:
    valid = json.load(open(f"{run}/results.json")).get("valid?")
except FileNotFoundError:
    valid = None
expected = "valid" if valid is True else "invalid" if valid is False else "unknown"
assert dom.verdict == expected, f"verdict shown {dom.verdict!r}, results.json {valid!r}"

with open(png_path, "rb") as f:
    head = f.read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
w, h = struct.unpack(">II", head[16:24])
assert (w, h) == (1400, 2000), f"screenshot {w}x{h}"
# A blank page compresses to a few KiB; the timeline, tables and plots do not.
assert os.path.getsize(png_path) > 30000, f"screenshot only {os.path.getsize(png_path)} bytes"
print(f"ok: {page}: {len(dom.bands)} fault bands = fault ops, {len(dom.rows)} history rows, "
      f"verdict {dom.verdict}, {os.path.getsize(f'{run}/report.html')} bytes, "
      f"screenshot {os.path.getsize(png_path)} bytes")
PY
}

if [ -n "${REPORT_RUN_DIR:-}" ]; then
  check_report_chromium "$(readlink -f "$REPORT_RUN_DIR")"
  pass "report.html of $REPORT_RUN_DIR"
  exit 0
fi

command -v chromium > /dev/null || fail "chromium is not installed (setup.sh installs it)"
run_test report --nemesis-gen kill-task-managers --time-limit 20 --job-recovery-grace-period 60
grep -E "Nemesis|Recovery|Anomaly|report.html" "$store.stderr" | tail -n 15
[ $rc -eq 0 ] || fail "exit code $rc, expected 0"
[ "$(tail -n 1 "$store.stdout")" = "$VALID" ] || fail "stdout does not end with the valid verdict"
[ ! -e "$run/report.html.tmp" ] || fail "report.html.tmp is left"
faults=$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if (o := json.loads(l))["process"] == "nemesis"
          and o["type"] == "info" and (o["value"] is not None or o.get("error") is not None)
          and o["f"] not in ("heal", "process-started") and not o["f"].endswith("-stop")))' \
  "$run/history.jsonl")
[ "$faults" -ge 1 ] || fail "no fault op in the history"
check_report_chromium "$run"

# `analyze latest` (the store's newest run: this one) gives the stored verdict and writes the page
# again.
rm "$run/report.html"
"$JF" analyze latest --store "$store" > "$report_tmp/analyze.out" 2>&1 ||
  fail "analyze: $(cat "$report_tmp/analyze.out")"
grep -qxF "$store/latest: $VALID" "$report_tmp/analyze.out" ||
  fail "analyze latest did not give the stored verdict: $(cat "$report_tmp/analyze.out")"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["valid?"] is True' "$run/results.json" ||
  fail "results.json is no longer valid after analyze"
check_report_chromium "$run"
pass "report.html: $faults fault bands, the verdict, no console error: $run"
