"""Signal receivers: sign-in events and attempts to change the log into the access log, and
the per-connection switch the append-only triggers consult."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest

from safetynet.audit.context import client_ip, current_user
from safetynet.audit.models import Action, tamper_attempted
from safetynet.audit.services import record_audit, record_tamper_attempt


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record_audit(acting_user=user, action=Action.LOGIN, ip=_ip(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_audit(acting_user=user, action=Action.LOGOUT, ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django masks the password in `credentials`; only the username is kept.
    record_audit(
        acting_user=None,
        action=Action.LOGIN_FAILED,
        username=str(credentials.get("username") or ""),
        ip=_ip(request),
        outcome="failed",
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kw: Any
) -> None:
    record_audit(
        acting_user=None,
        action=Action.LOCKOUT,
        username=username or "",
        ip=ip_address or _ip(request),
        outcome="locked",
    )


@receiver(post_delete, sender=get_user_model(), dispatch_uid="audit_user_deleted")
def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Deleting an account (the admin site) erases a member of staff's personal data: logged
    in the deletion's own transaction (Django deletes inside one), so a failed delete logs
    nothing. Who deleted it comes from the request (the middleware's context)."""
    record_audit(
        acting_user=current_user(),
        action=Action.ERASURE,
        object_type="user",
        object_ids=[instance.pk],
        fields=["account"],
    )


@receiver(tamper_attempted, dispatch_uid="audit_tamper_attempt")
def _tamper_attempted(sender: Any, what: str, seqs: list[Any], **kwargs: Any) -> None:
    record_tamper_attempt(what, seqs)


def _purge_allowed() -> int:
    return 1 if getattr(settings, "SAFETYNET_AUDIT_ALLOW_TEST_PURGE", False) else 0


@receiver(connection_created, dispatch_uid="audit_trigger_switch")
def _connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give the append-only triggers their switch on this connection.

    The triggers refuse UPDATE and DELETE unless the switch is on. Only the test settings turn
    it on, so the test runner can empty the database between tests; any other process,
    including a database shell (where the SQLite function does not even exist), is refused.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function("safetynet_audit_purge_allowed", 0, _purge_allowed)
    elif connection.vendor == "postgresql" and _purge_allowed():
        with connection.connection.cursor() as cursor:
            cursor.execute("SET safetynet.audit_purge_allowed = 'on'")
