"""`safetynet serve`: the web app under gunicorn, with the task worker beside it."""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the web app (and run the task worker)",
        description="Serve the web app with gunicorn on HOST:PORT (default 127.0.0.1:8000) and "
        "start the background task worker beside it unless --no-worker is given.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="web worker processes (default 2)")
    p.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per web worker process (default 4; Python runs one at a time in a process, "
        "so on a small machine more processes with fewer threads answer more evenly)",
    )
    p.add_argument("--no-worker", action="store_true", help="do not start the background task worker")
    p.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from safetynet.cli.django_setup import ensure_database
    from safetynet.lib.health import pending_migrations

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535 (got {args.port}).")
    ensure_database()
    if args.workers < 1 or args.threads < 1:
        raise UsageError(f"--workers and --threads must be at least 1 (got {args.workers} and {args.threads}).")
    if pending_migrations():
        raise UsageError("the database has pending migrations; run 'safetynet migrate' first.")
    serve_with_worker(args.host, args.port, args.workers, with_worker=not args.no_worker, threads=args.threads)
    return 0


def serve_with_worker(host: str, port: int, workers: int, *, with_worker: bool, threads: int = 4) -> None:
    """Serve until stopped, with the background task worker in a child process."""
    worker = subprocess.Popen([sys.executable, "-m", "safetynet", "worker"]) if with_worker else None
    try:
        serve_forever(host, port, workers, threads)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


def serve_forever(host: str, port: int, workers: int, threads: int = 4) -> None:
    from gunicorn.app.base import BaseApplication

    from safetynet.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)  # our middleware logs requests without query strings
            self.cfg.set("graceful_timeout", 5)

        def load(self) -> Any:
            return application

    Server().run()
