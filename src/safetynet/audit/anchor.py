"""The chain head kept off the database: appended to a file and/or sent to syslog.

Someone who can rewrite the whole access log and its head row can recompute every hash, so
the chain alone cannot prove it was not rewritten. A copy of the head written elsewhere (a
write-once file, a SIEM fed by syslog) can: `safetynet audit verify --against FILE` checks
that every head ever written is still in the chain. `safetynet audit head --write/--syslog`
writes it once; `safetynet worker` writes it every `SAFETYNET_AUDIT_HEAD_MINUTES` when
`SAFETYNET_AUDIT_HEAD_FILE` or `SAFETYNET_AUDIT_HEAD_SYSLOG` is set (docs/audit.md).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from logging.handlers import SysLogHandler
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from safetynet.audit.services import ChainHead, current_head

log = logging.getLogger(__name__)

DEFAULT_SYSLOG = "/dev/log"
SYSLOG_IDENT = "safetynet-audit: "


@dataclass(frozen=True)
class Anchor:
    """Where the head goes: a file to append to, a syslog address, or both; and how often."""

    file: str = ""
    syslog: str = ""
    minutes: int = 15


def configured_anchor() -> Anchor | None:
    """The anchor the settings ask for, or None when neither a file nor syslog is set."""
    file = str(getattr(settings, "SAFETYNET_AUDIT_HEAD_FILE", "") or "")
    syslog = str(getattr(settings, "SAFETYNET_AUDIT_HEAD_SYSLOG", "") or "")
    if not file and not syslog:
        return None
    return Anchor(file=file, syslog=syslog, minutes=int(getattr(settings, "SAFETYNET_AUDIT_HEAD_MINUTES", 15)))


def write_head(path: str | Path, head: ChainHead) -> None:
    """Append the head's line to `path` (created if missing) and flush it to disk. OSError when
    it cannot be written."""
    with open(path, "a", encoding="ascii") as handle:
        handle.write(head.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def syslog_address(text: str) -> tuple[str | tuple[str, int], socket.SocketKind]:
    """`/dev/log` (a local socket path), `HOST[:PORT]` or `udp://HOST[:PORT]` (UDP, port 514
    by default), or `tcp://HOST[:PORT]`. ValueError when it is none of these."""
    text = text.strip() or DEFAULT_SYSLOG
    if text.startswith("/"):
        return text, socket.SOCK_DGRAM
    kind = socket.SOCK_DGRAM
    for scheme, socktype in (("udp://", socket.SOCK_DGRAM), ("tcp://", socket.SOCK_STREAM)):
        if text.startswith(scheme):
            text, kind = text[len(scheme) :], socktype
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "514")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected /path/to/socket, HOST:PORT, udp://HOST:PORT or tcp://HOST:PORT (got {text!r})")
    return (host, int(port)), kind


class _RaisingSysLogHandler(SysLogHandler):
    """A handler that lets a failed send raise (logging's handlers swallow it by default), so the
    command and the worker know the head did not leave."""

    def handleError(self, record: logging.LogRecord) -> None:
        # emit() calls this inside its `except` block: re-raise the error it caught.
        raise


def send_head(address: str, head: ChainHead) -> None:
    """Send the head to syslog at `address` (facility auth, ident `safetynet-audit`). OSError when
    it cannot be sent; ValueError for an address that is not one."""
    target, kind = syslog_address(address)
    handler = _RaisingSysLogHandler(address=target, facility=SysLogHandler.LOG_AUTH, socktype=kind)
    handler.ident = SYSLOG_IDENT
    try:
        record = logging.makeLogRecord(
            {"name": __name__, "levelno": logging.INFO, "levelname": "INFO", "msg": f"audit chain head {head.line()}"}
        )
        handler.emit(record)
    finally:
        handler.close()


def publish_head(anchor: Anchor) -> ChainHead:
    """Write the current head to the anchor's file and syslog; returns it. Raises OSError or
    ValueError (the first failure; a file failure does not stop the syslog copy)."""
    head = current_head()
    failure: Exception | None = None
    if anchor.file:
        try:
            write_head(anchor.file, head)
        except OSError as exc:
            failure = exc
    if anchor.syslog:
        send_head(anchor.syslog, head)
    if failure is not None:
        raise failure
    return head


def anchor_periodically(anchor: Anchor, stop: threading.Event) -> int:
    """Publish the head now and then every `anchor.minutes` until `stop` is set; returns how many
    times it was published. A failure is logged (its type only) and the next runs on time."""
    published = 0
    while not stop.is_set():
        close_old_connections()
        try:
            head = publish_head(anchor)
        except Exception as error:  # noqa: BLE001 - the loop must outlive any one failure
            log.error("audit: writing the chain head off-box failed (%s); retrying", type(error).__name__)
            connection.close()
        else:
            published += 1
            log.info("audit: chain head %s written off-box", head.seq)
        stop.wait(anchor.minutes * 60)
    connection.close()
    return published


def start_anchoring(anchor: Anchor) -> threading.Event:
    """Run `anchor_periodically` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=anchor_periodically, args=(anchor, stop), name="audit-head-anchor", daemon=True)
    thread.start()
    return stop
