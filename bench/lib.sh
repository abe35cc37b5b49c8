# Shared by the bench scripts.

# Sum of the RSS (KiB) of every process in the local cluster's namespaces (jf-*).
cluster_rss_kb() {
  local rss=0 ns p r
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^jf-/ {print $1}'); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do
      r=$(awk '/^VmRSS:/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)
      rss=$((rss + ${r:-0}))
    done
  done
  echo "$rss"
}
