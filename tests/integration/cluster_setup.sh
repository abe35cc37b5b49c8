# Fixture set-up: one local namespace cluster that the integration tests share.
source "$(dirname "$0")/lib.sh"
"$JF" cluster down --all
"$JF" cluster up --local-nodes 3
"$JF" cluster status
