#!/usr/bin/env bash
# The reference deployment's one entry point (deploy/Containerfile, deploy/systemd, docs/operations.md).
#
#   entrypoint.sh migrate            apply migrations, then exit (run once per release, before web and workers)
#   entrypoint.sh web                serve the web app with gunicorn on 0.0.0.0:${SAFETYNET_PORT:-8000}
#   entrypoint.sh worker             run one task worker (sweeper, heartbeat, queue); run as many as you like
#   entrypoint.sh safetynet ARGS...  any safetynet command (doctor, createuser, audit verify, ...)
#
# Refuses to start, with one line on stderr and exit code 2, when a required setting is missing.
# Each secret may instead be given as a file (NAME_FILE, as container secrets are mounted).
set -euo pipefail

refuse() {
    echo "entrypoint: $*" >&2
    exit 2
}

# NAME_FILE -> NAME, for container secrets; never both.
from_file() {
    local name="$1" file_var="${1}_FILE"
    local file="${!file_var:-}"
    [[ -z "$file" ]] && return 0
    [[ -n "${!name:-}" ]] && refuse "set $name or $file_var, not both."
    [[ -r "$file" ]] || refuse "$file_var names $file, which is not a readable file."
    export "$name=$(<"$file")"
}

require() {
    local name="$1" why="$2"
    [[ -n "${!name:-}" ]] || refuse "$name is not set ($why)."
}

mode="${1:-}"
case "$mode" in
    migrate | web | worker | safetynet) shift ;;
    "") refuse "say what to run: migrate, web, worker or safetynet ARGS." ;;
    *) refuse "unknown mode '$mode': expected migrate, web, worker or safetynet ARGS." ;;
esac

from_file SAFETYNET_SECRET_KEY
from_file SAFETYNET_SECRET_KEY_FALLBACKS
from_file DATABASE_URL
from_file SAFETYNET_METRICS_TOKEN
require SAFETYNET_SECRET_KEY "a random value of at least 50 characters; see docs/operations.md"
require DATABASE_URL "e.g. postgres://safetynet@db:5432/safetynet"
require SAFETYNET_ALLOWED_HOSTS "the host names this service answers to, comma-separated"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-safetynet.settings.production}"

case "$mode" in
    migrate)
        exec safetynet migrate "$@"
        ;;
    web)
        # Migrations are the release step's (migrate mode), never a web process's: refuse to serve
        # a schema this code does not expect.
        safetynet migrate --check >/dev/null || refuse "the database has unapplied migrations: run the migrate mode first."
        # A read-only root filesystem: gunicorn's heartbeat files go to memory.
        tmp_dir=/dev/shm
        [[ -d "$tmp_dir" && -w "$tmp_dir" ]] || tmp_dir="${TMPDIR:-/tmp}"
        exec gunicorn safetynet.wsgi:application \
            --bind "0.0.0.0:${SAFETYNET_PORT:-8000}" \
            --workers "${SAFETYNET_WEB_PROCESSES:-2}" \
            --threads "${SAFETYNET_WEB_THREADS:-4}" \
            --worker-tmp-dir "$tmp_dir" \
            --graceful-timeout 20 \
            --timeout 60 \
            "$@"
        ;;
    worker)
        exec safetynet worker "$@"
        ;;
    safetynet)
        exec safetynet "$@"
        ;;
esac
