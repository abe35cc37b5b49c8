# Fixture clean-up: removes everything any test left and fails if the leak detector finds
# anything afterwards.
source "$(dirname "$0")/lib.sh"
"$JF" cluster down --all
"$JF" cluster leaks || fail "leaks remain after cluster down --all"
pass "no leaks"
