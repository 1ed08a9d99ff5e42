#!/bin/sh
# Tiến Độ's scheduler: the one place periodic jobs run (web workers never run any).
#
# TIENDO_SCHEDULE lists jobs separated by ";", each "SECONDS COMMAND…": the command runs at
# start and then again SECONDS after its previous run ended. Jobs run one after another, so
# two runs of a job never overlap; a failing job is logged and retried at its next turn.
# The commands decide themselves what is due (e.g. `tiendo remind` whom to remind, once).
#   TIENDO_SCHEDULE="300 tiendo remind; 3600 tiendo sync-official; 86400 tiendo purge"   (the default)
#   TIENDO_SCHEDULER_TICK=30   seconds between looks at the clock
#   TIENDO_SCHEDULER_ONCE=1    run every job once, then exit (for checks)
set -u
SCHEDULE="${TIENDO_SCHEDULE:-300 tiendo remind; 3600 tiendo sync-official; 86400 tiendo purge}"
TICK="${TIENDO_SCHEDULER_TICK:-30}"
ONCE="${TIENDO_SCHEDULER_ONCE:-0}"

log() {  # level, message (JSON lines, like the app's logs)
  msg=$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g')
  printf '{"ts": "%s", "level": "%s", "logger": "tiendo.scheduler", "msg": "%s"}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$msg"
}

stopping=0
trap 'stopping=1' TERM INT

run_due_jobs() {
  i=0
  old_ifs=$IFS
  IFS=';'
  set -f  # the commands are not file patterns
  for job in $SCHEDULE; do
    IFS=$old_ifs
    job=$(printf '%s' "$job" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
    [ -n "$job" ] || continue
    i=$((i + 1))
    every=${job%%[[:space:]]*}
    command=${job#"$every"}
    case $every in
      '' | *[!0-9]*) log ERROR "bad job \"$job\": expected \"SECONDS COMMAND\""; exit 2 ;;
    esac
    eval "due=\${next_$i:-0}"
    if [ "$(date +%s)" -ge "$due" ] && [ "$stopping" = 0 ]; then
      log INFO "start:$command"
      started=$(date +%s)
      sh -c "$command"
      rc=$?
      finished=$(date +%s)
      if [ "$rc" = 0 ]; then level=INFO; else level=ERROR; fi
      log "$level" "done:$command (exit $rc, $((finished - started)) s)"
      eval "next_$i=$((finished + every))"
    fi
    IFS=';'
  done
  IFS=$old_ifs
  set +f
}

log INFO "scheduler started: $SCHEDULE"
while [ "$stopping" = 0 ]; do
  run_due_jobs
  [ "$ONCE" = 1 ] && break
  sleep "$TICK" &
  wait $! 2>/dev/null  # returns at once on TERM, so `docker compose stop` is quick
done
log INFO "scheduler stopped"
