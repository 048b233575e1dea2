"""The step from a message head to the machines, in one lookup.

A head (sent or received) moves the machines by its *event trigger* and by
the *signals* its facts raise. Both are declared in ``vocabulary.toml``: the
``[[response]]`` rows classify a response by its status and the request's
method (101 accepts an Upgrade, a 2xx to CONNECT opens a tunnel), and each
signal's ``raised_by`` names the head facts that raise it. The codec reports
a head's facts in one pass (:func:`~h11sm._codec.head_facts`); the sequence
"signals, then the event" from a joint state is worked out once by the
engine and kept in that joint state, so every later head with the same
facts costs one dict lookup.

Also here: what the tables say about the heads we send (which of them must
say ``Connection: close``), asked of the compiled automaton once, at import.
(Which must say ``Connection: keep-alive`` is each joint state's
``announce``, from the tables' ``[announce]`` sections.)
"""

from __future__ import annotations

from typing import Final

from . import _codec
from ._compiled import AUTOMATON
from ._engine import Composite, JointState, TableError, Trigger
from ._events import ConnectionClosed, Data, EndOfMessage, Event, InformationalResponse, Request, Response
from ._headers import Headers, get_comma_header, set_comma_header, special_fields
from ._sentinels import CLIENT, MUST_CLOSE, SERVER, Sentinel
from ._tables import Vocabulary

__all__ = [
    "CLOSE_DELIMITED",
    "CLOSE_OPTION",
    "RESPONSE_ENDS_IN_MUST_CLOSE",
    "TRIGGERS_BY_ROLE",
    "UPGRADE",
    "classify",
    "head_facts",
    "step",
    "with_close",
    "with_keep_alive",
]

_VOCABULARY: Final = AUTOMATON.vocabulary
_HEAD_TYPES: Final[dict[str, type[Request | InformationalResponse | Response]]] = {
    "Request": Request,
    "InformationalResponse": InformationalResponse,
    "Response": Response,
}
_EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    Request,
    InformationalResponse,
    Response,
    Data,
    EndOfMessage,
    ConnectionClosed,
)

#: Role -> event class -> the trigger that role fires by sending it: only
#: the events the vocabulary's ``senders`` allow the role.
TRIGGERS_BY_ROLE: Final[dict[Sentinel, dict[type[Event], Trigger]]] = {
    role: {
        event_type: _VOCABULARY.triggers[("event", event_type.__name__, role)]
        for event_type in _EVENT_TYPES
        if ("event", event_type.__name__, role) in _VOCABULARY.triggers
    }
    for role in (CLIENT, SERVER)
}
_REQUEST: Final = TRIGGERS_BY_ROLE[CLIENT][Request]
_RESPONSE: Final = TRIGGERS_BY_ROLE[SERVER][Response]
_END_OF_RESPONSE: Final = TRIGGERS_BY_ROLE[SERVER][EndOfMessage]


def _classification(
    vocabulary: Vocabulary,
) -> tuple[dict[tuple[type[Event], int, bytes | None], Trigger], frozenset[bytes]]:
    """The ``[[response]]`` rows as one dict: (head class, status, request
    method or None) -> trigger; a row without a method is entered for every
    method some row names, so that a lookup never needs a second try. The
    first matching row wins, as the table says."""
    methods = frozenset(row[3].encode("ascii") for row in vocabulary.responses if row[3] is not None)
    table: dict[tuple[type[Event], int, bytes | None], Trigger] = {}
    for head, first, last, method, trigger_name in vocabulary.responses:
        if head not in _HEAD_TYPES or head == "Request":
            raise TableError(f"vocabulary.toml: a [[response]] row classifies {head!r}, which is not a response head")
        trigger = vocabulary.triggers[("event", trigger_name, SERVER)]
        keys = (None, *methods) if method is None else (method.encode("ascii"),)
        for status in range(first, last + 1):
            for key in keys:
                table.setdefault((_HEAD_TYPES[head], status, key), trigger)
    return table, methods


_CLASSIFIED, _CLASSIFYING_METHODS = _classification(_VOCABULARY)


def classify(head: Request | InformationalResponse | Response, request_method: bytes | None) -> Trigger:
    """The event trigger *head* fires; for a response, *request_method* is
    the method of the request it answers (see the ``[[response]]`` rows)."""
    head_type = type(head)
    if head_type is Request:
        return _REQUEST
    method = request_method if request_method in _CLASSIFYING_METHODS else None
    found = _CLASSIFIED.get((head_type, head.status_code, method))  # type: ignore[union-attr]
    return found if found is not None else TRIGGERS_BY_ROLE[SERVER][head_type]


def _signal_rules(vocabulary: Vocabulary) -> tuple[tuple[Trigger, frozenset[type[Event]], int, int], ...]:
    """Each signal's ``raised_by`` with fact names turned into the codec's bits."""
    unknown = sorted(set(vocabulary.head_facts) - set(_codec.FACT_BITS))
    if unknown:
        raise TableError(f"vocabulary.toml: head_facts names fact(s) the codec does not report: {', '.join(unknown)}")
    rules = []
    for signal, heads, present, absent in vocabulary.signal_rules:
        kinds = frozenset(_HEAD_TYPES[name] for name in heads) if heads else frozenset(_HEAD_TYPES.values())
        rules.append(
            (
                signal,
                kinds,
                sum(_codec.FACT_BITS[name] for name in present),
                sum(_codec.FACT_BITS[name] for name in absent),
            )
        )
    return tuple(rules)


_SIGNAL_RULES: Final = _signal_rules(_VOCABULARY)

head_facts: Final = _codec.head_facts
CLOSE_OPTION: Final[int] = _codec.FACT_BITS["close_option"]
CLOSE_DELIMITED: Final[int] = _codec.FACT_BITS["close_delimited"]
UPGRADE: Final[int] = _codec.FACT_BITS["upgrade"]


def _signals(head_type: type[Event], facts: int) -> tuple[Trigger, ...]:
    return tuple(
        signal
        for signal, kinds, present, absent in _SIGNAL_RULES
        if head_type in kinds and facts & present == present and not facts & absent
    )


def step(joint: JointState, head_type: type[Event], trigger: Trigger, facts: int) -> Composite:
    """What a head of *head_type* that fires *trigger* and has *facts* does
    from *joint*: its signals in the declared order, then its event (see
    :data:`~h11sm._engine.Composite`). The caller keeps the answer in
    ``joint.heads`` under ``(head_type, trigger, facts)``, so that the next
    such head costs one lookup."""
    return AUTOMATON.compose(joint, _signals(head_type, facts), trigger)


def _responses_that_end_in_must_close() -> frozenset[JointState]:
    """The joint states from which the tables put the server in MUST_CLOSE
    once a final response is complete (keep-alive off, the client gone or
    broken...): a response sent from one of them must say
    ``Connection: close``."""
    server = AUTOMATON.position["server"]
    closing = set()
    for joint in AUTOMATON.joint_states.values():
        after_head = joint.next.get(_RESPONSE)
        after_body = None if after_head is None else after_head.next.get(_END_OF_RESPONSE)
        if after_body is not None and after_body.states[server] is MUST_CLOSE:
            closing.add(joint)
    return frozenset(closing)


#: See :func:`_responses_that_end_in_must_close`.
RESPONSE_ENDS_IN_MUST_CLOSE: Final = _responses_that_end_in_must_close()

def with_keep_alive(headers: Headers) -> Headers:
    """*headers* with the keep-alive connection option added to their
    Connection field (the same object if they say keep-alive or close)."""
    tokens = get_comma_header(special_fields(headers), b"connection")
    if b"keep-alive" in tokens or b"close" in tokens:
        return headers
    return set_comma_header(headers, b"connection", [*tokens, b"keep-alive"])


def with_close(headers: Headers) -> Headers:
    """*headers* whose Connection field says ``close`` (and no longer
    ``keep-alive``); the same object if it already says just that."""
    tokens = [t for t in get_comma_header(special_fields(headers), b"connection") if t != b"keep-alive"]
    if b"close" in tokens:
        return headers
    return set_comma_header(headers, b"connection", [*tokens, b"close"])
