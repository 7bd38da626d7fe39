"""Named exceptions that carry the sentence a user sees.

Every error a user can cause (a bad file, an unknown township, a stale edit) is raised as a subclass of
:class:`XxgeoError` whose ``message`` is a complete Chinese sentence saying what is wrong and what to do.
The CLI prints that one line to stderr and exits non-zero; the app shows it with ``st.error``. No
traceback ever reaches a user.
"""

from __future__ import annotations


class XxgeoError(Exception):
    """Base of every user-facing error; ``message`` is shown as is (Chinese first)."""

    exit_code = 2

    def __init__(self, message: str, *, english: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.english = english

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class StoreError(XxgeoError):
    """The store is missing, unreadable, locked too long or not an xxgeo store."""


class ValidationFailed(XxgeoError):
    """Data failed schema validation; ``problems`` lists every finding."""

    def __init__(self, message: str, problems: list | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.problems = list(problems or [])


class NotFound(XxgeoError):
    """A township, park, layer or feature named by the user does not exist."""


class Ambiguous(XxgeoError):
    """A name the user typed matches more than one thing."""


class ImportRefused(XxgeoError):
    """An input file was refused (format, CRS, encoding, hostile archive, content)."""


class StaleEdit(XxgeoError):
    """An edit was made against an older version of a feature than the one stored."""


class PermissionDenied(XxgeoError):
    """The signed-in user's role does not allow this action."""


class SignInRefused(XxgeoError):
    """A sign-in was refused (wrong name or password, or too many failures); ``wait`` seconds until retry."""

    def __init__(self, message: str, *, wait: float = 0.0, **kw) -> None:
        super().__init__(message, **kw)
        self.wait = wait
