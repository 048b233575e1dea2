"""What a message head says about the connection and its body, read in one
pass over its special fields.

The codec reports the connection facts as bits of one number; the tables
(``head_facts`` and each signal's ``raised_by`` in ``vocabulary.toml``) say
which signals they raise. Nothing here knows which machine they move. The
same pass collects the framing fields' values, which the framing code
(:mod:`._framing`) then takes instead of looking for them again.
"""

from __future__ import annotations

from typing import Final

from .._events import InformationalResponse, Request, Response
from .._headers import comma_list_items, special_fields

__all__ = ["FACT_BITS", "HeadFacts", "head_facts"]

HTTP_1_0: Final = 1
KEEP_ALIVE_OPTION: Final = 2
CLOSE_OPTION: Final = 4
UPGRADE: Final = 8
CONNECT: Final = 16
EXPECT_100_CONTINUE: Final = 32
STATUS_100: Final = 64
FRAMING_CONFLICT: Final = 128
#: Not read off a head: the sender's framing says it (see Connection).
CLOSE_DELIMITED: Final = 256

#: Each fact's name in the tables -> its bit.
FACT_BITS: Final[dict[str, int]] = {
    "http_1_0": HTTP_1_0,
    "keep_alive_option": KEEP_ALIVE_OPTION,
    "close_option": CLOSE_OPTION,
    "upgrade": UPGRADE,
    "connect": CONNECT,
    "expect_100_continue": EXPECT_100_CONTINUE,
    "status_100": STATUS_100,
    "framing_conflict": FRAMING_CONFLICT,
    "close_delimited": CLOSE_DELIMITED,
}

# The Connection field values nearly every message carries, with the facts
# they state, so that they are not split and lowercased each time (any
# other value takes the general path, with the same result).
_COMMON_CONNECTION_VALUES: Final[dict[bytes, int]] = {
    b"keep-alive": KEEP_ALIVE_OPTION,
    b"Keep-Alive": KEEP_ALIVE_OPTION,
    b"close": CLOSE_OPTION,
    b"Close": CLOSE_OPTION,
    b"upgrade": 0,
    b"Upgrade": 0,
}

#: What :func:`head_facts` reads off a head: its facts (bits of
#: :data:`FACT_BITS`), then its Transfer-Encoding and its Content-Length
#: field values, each None when the head has no such field.
HeadFacts = tuple[int, list[bytes] | None, list[bytes] | None]


def head_facts(head: Request | InformationalResponse | Response) -> HeadFacts:
    """The facts of *head* and its framing fields' values (see
    :data:`HeadFacts`): one pass over its few special fields (Connection,
    Upgrade, Expect and the framing fields), which the head found while it
    was parsed or built."""
    facts = HTTP_1_0 if head.http_version < b"1.1" else 0
    codings: list[bytes] | None = None
    lengths: list[bytes] | None = None
    for name, value in special_fields(head.headers):
        if name == b"content-length":
            if lengths is None:
                lengths = [value]
            else:
                lengths.append(value)
        elif name == b"connection":
            common = _COMMON_CONNECTION_VALUES.get(value)
            if common is not None:
                facts |= common
                continue
            for token in comma_list_items(value):
                if token == b"close":
                    facts |= CLOSE_OPTION
                elif token == b"keep-alive":
                    facts |= KEEP_ALIVE_OPTION
        elif name == b"transfer-encoding":
            if codings is None:
                codings = [value]
            else:
                codings.append(value)
        elif name == b"upgrade" and comma_list_items(value):  # (an empty Upgrade proposes nothing)
            facts |= UPGRADE
        elif name == b"expect" and b"100-continue" in comma_list_items(value):
            facts |= EXPECT_100_CONTINUE
    head_type = type(head)
    if head_type is Request:
        if head.method == b"CONNECT":  # type: ignore[union-attr]
            facts |= CONNECT
    elif head_type is Response:
        # RFC 9112 §6.1, §6.3: Transfer-Encoding with Content-Length, or
        # from an HTTP/1.0 server, is faulty framing: the body is read
        # (as chunked) but the connection is not trusted after it.
        if codings is not None and (lengths is not None or facts & HTTP_1_0):
            facts |= FRAMING_CONFLICT
    elif head.status_code == 100:  # type: ignore[union-attr]
        facts |= STATUS_100
    return facts, codings, lengths
