#!/usr/bin/env bash
# The plugins a killed `pulumi` left running, and (with --stop) stopping them.
#
# The engine starts its plugins (language host, providers, the Python dynamic provider host)
# in process groups of their own, each given the engine's address (127.0.0.1:PORT) as an
# argument. When the engine is killed (SIGKILL, a lost laptop, a runner that is not a
# container), they go on: the kubernetes provider until its engine health check fails (up to
# 5 minutes), the Python dynamic provider host forever, finishing the create or wait it was in
# first. A plugin whose engine address no longer accepts connections is a leftover.
#
#   tools/leftover-plugins.sh          list them (pid, engine address, command)
#   tools/leftover-plugins.sh --stop   send them SIGTERM, then SIGKILL to any still there after 10 s
#
# Exit 0 when there are none (or all were stopped), 4 when some are listed and left running.
set -euo pipefail

stop=false
case "${1:-}" in
  --stop) stop=true ;;
  "") ;;
  *) echo "usage: $0 [--stop]" >&2; exit 2 ;;
esac

engine_alive() {  # $1: host:port
  (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null
}

leftovers=()
for pid in $(pgrep -f -- 'pulumi-(resource|language)-|-m pulumi\.dynamic' || true); do
  args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  # The engine's address is the last one given (the language host's is `--engine ADDR`).
  address="$(grep -oE '127\.0\.0\.1:[0-9]+' <<<"$args" | tail -n 1 || true)"
  [[ -n "$address" ]] || continue
  if ! engine_alive "$address"; then
    leftovers+=("$pid")
    printf '%s\t%s\t%s\n' "$pid" "$address" "${args:0:160}"
  fi
done

((${#leftovers[@]})) || exit 0
$stop || exit 4
kill -TERM "${leftovers[@]}" 2>/dev/null || true
for _ in $(seq 20); do
  alive=()
  for pid in "${leftovers[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  ((${#alive[@]})) || exit 0
  sleep 0.5
done
kill -KILL "${alive[@]}" 2>/dev/null || true
