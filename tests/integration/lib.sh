# Helpers for the integration tests. Each test script gets the jepsen-flink binary as $1.
set -euo pipefail
JF=$(readlink -f "$1")
ROOT=${JF_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IT_STORE=${IT_STORE:-$ROOT/build/it-store}
mkdir -p "$IT_STORE"
VALID="Everything looks good! ヽ('ー\`)ノ"
INVALID="Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# json FILE EXPR: evaluates a Python expression over the parsed JSON document `d`.
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

need_file() { [ -s "$1" ] || fail "missing or empty: $1"; }

# The ctest run may be interrupted; a test never leaves its cluster behind.
cleanup_on_exit() { "$JF" cluster down --all > /dev/null 2>&1 || true; }
