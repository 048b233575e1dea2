"""Choosing how a message body is delimited, on receive and on send
(RFC 9112 §6.3 and h11's "Message body framing" rules).

On receive, the head (and for a response, the method of the request it
answers) decides which body reader to use. On send, the user states a framing
through the headers they set, and the codec fills in what HTTP/1.1 needs for
the peer at hand: a response of unknown length goes chunked to an HTTP/1.1
peer and close-delimited to an HTTP/1.0 one.

The framing fields' values are taken from the head's facts
(:func:`~._facts.head_facts`), which the connection reads once per head and
passes in; a caller without them leaves *facts* out and they are read here.
"""

from __future__ import annotations

from typing import Final

from .._errors import ProtocolError
from .._events import InformationalResponse, Request, Response
from .._headers import Headers, with_field_added, without_field
from ._bodies import BodyReader, ChunkedReader, ContentLengthReader, UntilCloseReader
from ._facts import HeadFacts, head_facts
from ._fields import content_length_value, require_chunked_only, transfer_codings
from ._limits import (
    DEFAULT_MAX_CHUNK_LINE_SIZE,
    DEFAULT_MAX_HEADER_COUNT,
    DEFAULT_MAX_TRAILER_SIZE,
)
from ._writers import BodyWriter, ChunkedWriter, ContentLengthWriter, UntilCloseWriter

__all__ = [
    "framing_for_receive",
    "framing_for_send",
    "framing_for_send_request",
    "framing_for_send_response",
]


# An empty body is the most common kind (every GET, many responses), and its
# reader and writer never change state: the reader answers EndOfMessage
# whenever it is asked, the writer accepts only empty Data and an
# EndOfMessage. So one instance of each serves every empty body, and none is
# built per message.
_NO_BODY_READER: Final = ContentLengthReader(0)
_NO_BODY_WRITER: Final = ContentLengthWriter(0)
_UNFRAMED_REQUEST_WRITER: Final = ContentLengthWriter(
    0,
    no_body="this request has no body: declare Content-Length or Transfer-Encoding: chunked to send one",
)
_BODILESS_RESPONSE_WRITER: Final = ContentLengthWriter(
    0,
    no_body="this response has no body (a 1xx, 204 or 304 response, an answer to HEAD, or a 2xx to CONNECT)",
)


# A message's Content-Length values have been checked by the parser or by
# the event's constructor, which leave one plain number: that case skips
# the call to content_length_value(), which would only say so again.


def _content_length_reader(lengths: list[bytes]) -> ContentLengthReader:
    value = lengths[0]
    length = int(value) if len(lengths) == 1 and value.isdigit() else int(content_length_value(lengths))
    return ContentLengthReader(length) if length else _NO_BODY_READER


def _content_length_writer(lengths: list[bytes]) -> ContentLengthWriter:
    value = lengths[0]
    length = int(value) if len(lengths) == 1 and value.isdigit() else int(content_length_value(lengths))
    return ContentLengthWriter(length) if length else _NO_BODY_WRITER


def _has_no_body(status_code: int, request_method: bytes | None) -> bool:
    """RFC 9112 §6.3 items 1-2: responses that end with their head."""
    return (
        status_code < 200
        or status_code == 204
        or status_code == 304
        or request_method == b"HEAD"
        or (request_method == b"CONNECT" and status_code < 300)
    )


def framing_for_receive(
    event: Request | InformationalResponse | Response,
    request_method: bytes | None,
    facts: HeadFacts | None = None,
    *,
    max_line_size: int = DEFAULT_MAX_CHUNK_LINE_SIZE,
    max_trailer_size: int = DEFAULT_MAX_TRAILER_SIZE,
    max_header_count: int = DEFAULT_MAX_HEADER_COUNT,
) -> BodyReader:
    """The reader for the body that follows the head *event* from the peer.

    *request_method* is the method of the request a response answers (None
    for requests); *facts* are the head's facts if already read. The
    keyword limits are handed to a ChunkedReader: the longest chunk-size
    line, the largest trailer section and the most trailer fields.

    Follows RFC 9112 §6.3: 1xx, 204, 304, responses to HEAD and 2xx
    responses to CONNECT have no body; then Transfer-Encoding wins over
    Content-Length (a response whose final coding is not chunked runs until
    the server closes); then Content-Length; then a request has an empty
    body and a response runs until close.
    """
    if type(event) is Request:
        _, codings, lengths = facts if facts is not None else head_facts(event)
        if event.method == b"CONNECT" and _frames_content(codings, lengths):
            raise _connect_with_content()
        if codings is not None:
            require_chunked_only(codings)
            return ChunkedReader(
                max_line_size=max_line_size,
                max_trailer_size=max_trailer_size,
                max_header_count=max_header_count,
            )
        if lengths is not None:
            return _content_length_reader(lengths)
        return _NO_BODY_READER
    if _has_no_body(event.status_code, request_method):
        return _NO_BODY_READER
    _, codings, lengths = facts if facts is not None else head_facts(event)
    if codings is not None:
        # (Also from an HTTP/1.0 server, whose Transfer-Encoding RFC 9112
        # §6.1 calls faulty framing: its chunked body is still dechunked, as
        # h11 and llhttp do, rather than handed out framing and all as
        # content; the connection then closes, see Connection.)
        if transfer_codings(codings)[-1:] == [b"chunked"]:
            return ChunkedReader(
                max_line_size=max_line_size,
                max_trailer_size=max_trailer_size,
                max_header_count=max_header_count,
                allow_obs_fold=True,  # a user agent must accept folds in responses (RFC 9112 §5.2)
            )
        return UntilCloseReader()
    if lengths is not None:
        return _content_length_reader(lengths)
    return UntilCloseReader()


def framing_for_send(
    event: Request | InformationalResponse | Response,
    *,
    request_method: bytes | None = None,
    peer_http_version: bytes | None = None,
) -> tuple[Headers, BodyWriter, bool]:
    """How to send the body that follows our head *event*.

    Returns ``(headers, writer, close_connection)``: the headers to actually
    send, the body writer, and whether the body is close-delimited, so the
    connection must close after it (the caller adds ``Connection: close``).

    For a response, *request_method* is the method of the request it answers
    and *peer_http_version* the client's HTTP version. An unknown version
    (None: e.g. answering a request we could not parse) is treated like
    HTTP/1.0, because a close-delimited body is the one framing every
    HTTP/1.x client understands.

    The user picks the framing with the headers: Content-Length for a known
    length, ``Transfer-Encoding: chunked`` for an unknown one. A request with
    neither has an empty body. A response with neither has an unknown length:
    it is sent chunked (adding the header) to an HTTP/1.1 client and
    close-delimited (dropping any Transfer-Encoding) to an HTTP/1.0 one.
    """
    if isinstance(event, Request):
        headers, writer = framing_for_send_request(event)
        return headers, writer, False
    return framing_for_send_response(event, request_method, peer_http_version)


def _check_codings_to_send(codings: list[bytes], lengths: list[bytes] | None) -> None:
    """Refuse the Transfer-Encoding framings we must never send (called only
    when the message has Transfer-Encoding: most have not)."""
    if lengths is not None:
        # RFC 9112 §6.2: MUST NOT send both.
        raise ProtocolError("can't send both Transfer-Encoding and Content-Length")
    require_chunked_only(codings)


def _frames_content(codings: list[bytes] | None, lengths: list[bytes] | None) -> bool:
    """Whether framing fields announce content: Transfer-Encoding, or a
    Content-Length other than 0 (one field by now, checked: plain digits)."""
    return codings is not None or (lengths is not None and int(lengths[0]) != 0)


def _connect_with_content() -> ProtocolError:
    # RFC 9110 §9.3.6: a CONNECT request has no content; every byte after
    # its head belongs to the tunnel (llhttp reads it so). A framing field
    # would make us read tunnel bytes as a body, and then as the next
    # request: the way to smuggle one past a proxy. (Content-Length: 0
    # says there is none, frames nothing, and some clients send it.)
    return ProtocolError(
        "CONNECT request with Transfer-Encoding or a non-zero Content-Length (a CONNECT has no content)"
    )


def framing_for_send_request(event: Request, facts: HeadFacts | None = None) -> tuple[Headers, BodyWriter]:
    """:func:`framing_for_send` for a request: ``(headers, writer)``;
    *facts* are the head's facts if already read."""
    headers = event.headers
    _, codings, lengths = facts if facts is not None else head_facts(event)
    if event.method == b"CONNECT" and _frames_content(codings, lengths):
        raise _connect_with_content()
    if codings is not None:
        _check_codings_to_send(codings, lengths)
        return headers, ChunkedWriter()
    if lengths is not None:
        return headers, _content_length_writer(lengths)
    return headers, _UNFRAMED_REQUEST_WRITER


def _without_transfer_encoding(headers: Headers) -> Headers:
    return without_field(headers, b"transfer-encoding")


def framing_for_send_response(
    event: InformationalResponse | Response,
    request_method: bytes | None,
    peer_http_version: bytes | None,
    facts: HeadFacts | None = None,
) -> tuple[Headers, BodyWriter, bool]:
    """:func:`framing_for_send` for a response, with positional arguments
    (the connection calls this once per response); *facts* are the head's
    facts if already read."""
    headers = event.headers
    _, codings, lengths = facts if facts is not None else head_facts(event)
    if codings is not None:
        _check_codings_to_send(codings, lengths)
    status_code = event.status_code
    if _has_no_body(status_code, request_method):
        # RFC 9110 §8.6 and RFC 9112 §6.1: 1xx, 204 and 2xx-to-CONNECT must
        # not carry these fields (HEAD and 304 responses may, to describe
        # the body they do not have).
        if (codings is not None or lengths is not None) and (
            status_code < 200
            or status_code == 204
            or (request_method == b"CONNECT" and status_code < 300)
        ):
            raise ProtocolError(
                f"can't send Content-Length or Transfer-Encoding in a {status_code} response"
                + (" to CONNECT" if request_method == b"CONNECT" and status_code >= 200 else "")
            )
        if codings is not None and (peer_http_version is None or peer_http_version < b"1.1"):
            # RFC 9112 §6.1: never Transfer-Encoding to an HTTP/1.0 client,
            # not even to describe a body a HEAD or 304 response leaves out.
            headers = _without_transfer_encoding(headers)
        return headers, _BODILESS_RESPONSE_WRITER, False
    if lengths is not None:
        return headers, _content_length_writer(lengths), False
    if peer_http_version is None or peer_http_version < b"1.1":
        if codings is not None:
            headers = _without_transfer_encoding(headers)
        return headers, UntilCloseWriter(), True
    if codings is None:
        headers = with_field_added(headers, b"transfer-encoding", b"chunked")
    return headers, ChunkedWriter(), False
