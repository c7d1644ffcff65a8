#!/usr/bin/env bash
# `make run`: migrate, load demo data, then run the web server and a Celery worker with
# embedded beat until Ctrl-C, which stops all of them.
#
# Called by the Makefile as: PORT=8000 PY=.venv/bin/python BIN=.venv/bin bash scripts/run.sh
# HOST (default 127.0.0.1) sets the address runserver binds to.
set -euo pipefail

cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
PY="${PY:-.venv/bin/python}"
BIN="${BIN:-.venv/bin}"

# Links in e-mails (survey invitations, reminders) and calendar feeds lead to this server.
export RAPPORT_BASE_URL="${RAPPORT_BASE_URL:-http://127.0.0.1:$PORT}"

# Runtime files live under var/ (ignored by git). Without CELERY_BROKER_URL the broker is
# kombu's filesystem transport, which needs its folders to exist before the worker starts.
mkdir -p var/celery/queue var/celery/processed var/celery/control

"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo

# Job control puts each background job in its own process group, so cleanup can signal a
# whole group: runserver's autoreloader child and Celery's pool processes included.
set -m
pids=()

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

cleanup() {
    trap - INT TERM EXIT
    ((${#pids[@]})) || return 0
    echo
    echo "Stopping the web server and the Celery worker..."
    # Ask the leaders first: Celery then shuts its pool and beat down cleanly (warm shutdown).
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for tick in $(seq 30); do
        alive=0
        for pid in "${pids[@]}"; do
            group_alive "$pid" || continue
            alive=1
            # After 2 s, signal the whole group of a leader that is gone (runserver's
            # autoreloader leaves its server child behind); after 15 s, force everything.
            if ((tick > 4)) && ! kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
        done
        ((alive)) || return 0
        sleep 0.5
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
# Ctrl-C is the normal way to stop: exit 0 after a clean shutdown.
trap 'cleanup; exit 0' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

"$PY" manage.py runserver "$HOST:$PORT" &
pids+=($!)
"$BIN/celery" -A crm worker --beat --loglevel=info --schedule var/celerybeat-schedule \
    --without-gossip --without-mingle --without-heartbeat --concurrency 2 &
pids+=($!)

# Announce once the server answers (bash's /dev/tcp: no curl needed).
for _ in $(seq 60); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.5
done
cat <<EOF

  Rapport is running: http://127.0.0.1:$PORT/
  E-mailed links lead to: $RAPPORT_BASE_URL
  Demo logins (password: ${DEMO_PASSWORD:-rapport-demo}):
    staff       Staff, Procurement
    staff2      Staff, Sales
    manager     Manager, Procurement
    supervisor  Supervision (reads everything)
    admin       superuser, /admin/
  Celery worker + beat are running on the ${CELERY_BROKER_URL:-filesystem://} broker.
  Press Ctrl-C to stop everything.

EOF

# Return as soon as either process exits (a crash, or the port already in use): the
# EXIT trap then stops the other one.
set +e
wait -n "${pids[@]}"
status=$?
echo "A process exited (status $status); stopping the rest."
exit "$status"
