"""The exceptions h11sm raises for protocol violations, and whose fault each
one is.

Every violation is a :exc:`ProtocolError`. The core raises one of its two
concrete kinds, so a program can tell who broke the rules: a
:exc:`LocalProtocolError` when the caller did (building an invalid event,
sending something not allowed now, reusing a connection too early) and a
:exc:`RemoteProtocolError` when the peer did (anything found while
receiving). Catching :exc:`ProtocolError` catches both.
"""

from __future__ import annotations

from ._sentinels import Sentinel
from ._tables import Transition, Trigger

__all__ = [
    "AttributedProtocolError",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "TriggerRefused",
]


class ProtocolError(Exception):
    """Somebody broke the HTTP/1.1 rules: the peer (from ``receive_data``) or
    the caller (from ``send``, ``prepare_to_reuse`` or an event constructor).

    ``error_status_hint`` is the status code a server would answer with if the
    peer caused the error: 400 for a generic violation, 431 when a head is too
    large, 505 for an HTTP version we cannot speak, and so on.

    h11sm itself raises the subclasses :exc:`LocalProtocolError` and
    :exc:`RemoteProtocolError`; this class stays constructible for programs
    that raise it themselves.
    """

    # Tracebacks and class reprs name the public spelling, the one users
    # catch (h11sm.ProtocolError), rather than this private module. (A class
    # attribute, not an assignment after the class: plain code for mypyc,
    # although a compiled class keeps the name of its defining module.)
    __module__ = "h11sm"

    def __init__(self, msg: str, error_status_hint: int = 400) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error_status_hint = error_status_hint

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msg!r}, error_status_hint={self.error_status_hint})"


class AttributedProtocolError(ProtocolError):
    """A protocol error that says whose fault it was: the common base of
    :exc:`LocalProtocolError` and :exc:`RemoteProtocolError`.

    It can't be raised itself (raise one of the two); the h11 0.16 face
    exports it as ``h11sm.h11.ProtocolError``, which h11 0.16 also keeps
    abstract.
    """

    def __init__(self, msg: str, error_status_hint: int = 400) -> None:
        if type(self) is AttributedProtocolError:
            raise TypeError("raise LocalProtocolError or RemoteProtocolError, not their common base")
        super().__init__(msg, error_status_hint)


class LocalProtocolError(AttributedProtocolError):
    """The caller broke the rules: an invalid event, an event not allowed in
    the current state, or a connection reused too early."""

    __module__ = "h11sm"


class RemoteProtocolError(AttributedProtocolError):
    """The peer broke the rules: raised while receiving. The peer's state is
    then ``ERROR``; a server may still send a response (see
    ``error_status_hint``) before closing."""

    __module__ = "h11sm"


class TriggerRefused(LocalProtocolError):
    """A trigger is not allowed in the current joint state. Met while
    receiving, the connection reports it as a
    :exc:`~h11sm.RemoteProtocolError`: the peer's event was the one refused.

    The message names the rule and the facts that led here; the same things
    are kept as attributes, for code that wants to act on them:

    * ``trigger``: the refused :class:`~h11sm.machines.Trigger`;
    * ``machine`` and ``state``: the machine that refused and its state;
    * ``rules``: that machine's rules for the trigger (where it *is*
      allowed), each with its ``why``;
    * ``causes``: the rules that put the machines where they are (say,
      ``DONE -> MUST_CLOSE when keep_alive is disabled``, then the signal
      that disabled keep-alive);
    * ``facts``: what the connection saw that fired those rules, in words
      (such as ``"Connection: close seen, in a message from SERVER"``); empty
      when nobody recorded it (a question asked of :mod:`h11sm.machines`).
    """

    # Shown where users meet it: tracebacks and reprs name the public module.
    __module__ = "h11sm.machines"

    def __init__(
        self,
        msg: str,
        error_status_hint: int = 400,
        *,
        trigger: Trigger | None = None,
        machine: str | None = None,
        state: Sentinel | None = None,
        rules: tuple[Transition, ...] = (),
        causes: tuple[Transition, ...] = (),
        facts: tuple[str, ...] = (),
    ) -> None:
        super().__init__(msg, error_status_hint)
        self.trigger = trigger
        self.machine = machine
        self.state = state
        self.rules = rules
        self.causes = causes
        self.facts = facts

    @property
    def headline(self) -> str:
        """The first line of the message: what was refused, without the why."""
        return self.msg.partition("\n")[0]


def as_remote(error: ProtocolError) -> RemoteProtocolError:
    """*error*, found while receiving, as a :exc:`RemoteProtocolError` with
    the same message and hint (itself if it already is one).

    A check shared by both directions (an event's field rules, a table's
    refusal) raises a :exc:`LocalProtocolError`; met on received bytes, the
    fault is the peer's.
    """
    if type(error) is RemoteProtocolError:
        return error
    remote = RemoteProtocolError(error.msg, error.error_status_hint)
    remote.__traceback__ = error.__traceback__
    return remote


def as_local(error: ProtocolError) -> LocalProtocolError:
    """*error*, met while sending, as a :exc:`LocalProtocolError` with the
    same message and hint (itself if it already is one, or a subclass)."""
    if isinstance(error, LocalProtocolError):
        return error
    local = LocalProtocolError(error.msg, error.error_status_hint)
    local.__traceback__ = error.__traceback__
    return local
