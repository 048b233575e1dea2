"""The strictness audit: every parsing rule of issue 5, through the public API.

Each rule is one row: the role that receives the bytes, the bytes, a fragment
the error message must contain (naming the offending construct) and the exact
``error_status_hint``. Rows are driven through :class:`h11sm.Connection`, so
they check what a user sees: a :exc:`ProtocolError` from ``receive_data`` and
the peer's state turning to ``ERROR``. The codec-level tests
(``test_codec_*.py``) check the same rules closer to the code, with exact
messages; ``docs/security.rst`` states them in prose.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from h11sm import (
    CLIENT,
    ERROR,
    SERVER,
    Connection,
    Data,
    EndOfMessage,
    Event,
    ProtocolError,
    Request,
    Response,
)

# -- drivers ------------------------------------------------------------------


def client_waiting_for(method: str = "GET") -> Connection:
    """A client that has sent a whole request and now reads the response."""
    client = Connection(CLIENT)
    client.send(Request(method=method, target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    return client


def receiver(role: str, **options: int) -> Connection:
    if role == "server":
        return Connection(SERVER, **options)
    client = Connection(CLIENT, **options)
    client.send(Request(method="GET", target="/", headers=[("Host", "a")]))
    client.send(EndOfMessage())
    return client


def receive_all(conn: Connection, data: bytes) -> list[Event]:
    """Feed *data*, then keep asking until the connection has nothing more:
    an error found after some good events is raised by the second call."""
    events = conn.receive_data(data)
    events += conn.receive_data(None)
    return events


def error_from(role: str, data: bytes, **options: int) -> ProtocolError:
    conn = receiver(role, **options)
    with pytest.raises(ProtocolError) as info:
        receive_all(conn, data)
    assert conn.their_state is ERROR
    return info.value


def events_from(role: str, data: bytes) -> list[Event]:
    return receive_all(receiver(role), data)


@dataclass(frozen=True)
class Rule:
    """One rejected construct: who receives it, the bytes, what the error says."""

    name: str
    role: str  # "server" reads a request, "client" reads a response
    wire: bytes
    message: str  # must appear in the error message
    hint: int = 400


def head(request_line: bytes, *fields: bytes) -> bytes:
    return request_line + b"\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n"


def post_chunked(body: bytes) -> bytes:
    return b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body


def response_chunked(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body


HOST = b"Host: a"


def get(*fields: bytes) -> bytes:
    return head(b"GET / HTTP/1.1", HOST, *fields)


def post(*fields: bytes) -> bytes:
    return head(b"POST / HTTP/1.1", HOST, *fields)


RULES = [
    # -- request line: method SP request-target SP HTTP-version CRLF ------
    Rule("two spaces after method", "server", head(b"GET  / HTTP/1.1", HOST), "expected method SP request-target SP"),
    Rule("tab as separator", "server", head(b"GET\t/ HTTP/1.1", HOST), "expected method SP request-target SP"),
    Rule("space after version", "server", head(b"GET / HTTP/1.1 ", HOST), "expected method SP request-target SP"),
    Rule("space before method", "server", head(b" GET / HTTP/1.1", HOST), "illegal request line"),
    Rule("HTTP/0.9 style line", "server", head(b"GET /", HOST), "expected method SP request-target SP"),
    Rule("method not a token", "server", head(b"GE(T / HTTP/1.1", HOST), "invalid method"),
    Rule("method with NUL", "server", head(b"G\x00T / HTTP/1.1", HOST), "invalid method"),
    Rule("target with control byte", "server", head(b"GET /a\x01b HTTP/1.1", HOST), "invalid request target"),
    Rule("target with DEL", "server", head(b"GET /a\x7f HTTP/1.1", HOST), "invalid request target"),
    Rule("target with non-ASCII", "server", head(b"GET /caf\xc3\xa9 HTTP/1.1", HOST), "invalid request target"),
    Rule("target in no form", "server", head(b"GET index.html HTTP/1.1", HOST), "invalid request target"),
    Rule("authority-form without CONNECT", "server", head(b"GET a:80 HTTP/1.1", HOST), "authority-form"),
    Rule("CONNECT without authority-form", "server", head(b"CONNECT / HTTP/1.1", HOST), "authority-form"),
    Rule("asterisk-form without OPTIONS", "server", head(b"GET * HTTP/1.1", HOST), "asterisk-form"),
    Rule("lowercase version", "server", head(b"GET / http/1.1", HOST), "invalid HTTP version"),
    Rule("version without minor", "server", head(b"GET / HTTP/1", HOST), "invalid HTTP version"),
    Rule("two-digit minor version", "server", head(b"GET / HTTP/1.10", HOST), "invalid HTTP version"),
    Rule("major version 2", "server", head(b"GET / HTTP/2.0", HOST), "unsupported HTTP version 2.0", 505),
    # (a fuzzing finding: the bare LF arrives first, so it decides the verdict)
    Rule("major version 2 and bare LF", "server", b"GET / HTTP/2.0\r\nHost: a\nX: y\r\n\r\n", "bare LF"),
    Rule("response major version 2 and bare CR", "client", b"HTTP/2.0 200 OK\r\nX: \ry\r\n\r\n", "bare CR"),
    Rule("bare LF ending request line", "server", b"GET / HTTP/1.1\nHost: a\r\n\r\n", "bare LF"),
    Rule("bare CR in request line", "server", b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", "bare CR"),
    Rule("bare LF as leading empty line", "server", b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "bare LF"),
    Rule("whitespace line before request", "server", b" \r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "illegal request line"),
    # -- status line: HTTP-version SP 3DIGIT SP reason CRLF -----------------
    Rule("two-digit status", "client", b"HTTP/1.1 20 OK\r\n\r\n", "invalid status code"),
    Rule("four-digit status", "client", b"HTTP/1.1 2000 OK\r\n\r\n", "invalid status code"),
    Rule("signed status", "client", b"HTTP/1.1 +200 OK\r\n\r\n", "invalid status code"),
    Rule("two spaces before status", "client", b"HTTP/1.1  200 OK\r\n\r\n", "invalid status code"),
    Rule("status below 100", "client", b"HTTP/1.1 099 X\r\n\r\n", "status code 099 out of range"),
    Rule("not HTTP at all", "client", b"ICY 200 OK\r\n\r\n", "invalid HTTP version"),
    Rule("bare CR in reason", "client", b"HTTP/1.1 200 O\rK\r\n\r\n", "bare CR"),
    Rule("response major version 2", "client", b"HTTP/2.0 200 OK\r\n\r\n", "unsupported HTTP version", 505),
    # -- header fields -------------------------------------------------------
    Rule("empty field name", "server", get(b": x"), "empty header field name"),
    Rule("space before colon", "server", get(b"X : y"), "whitespace before colon"),
    Rule("tab before colon", "server", get(b"X\t: y"), "whitespace before colon"),
    Rule("space inside name", "server", get(b"X Y: z"), "invalid header field name"),
    Rule("non-ASCII in name", "server", get(b"X\xe9: y"), "invalid header field name"),
    Rule("NUL in name", "server", get(b"X\x00: y"), "invalid header field name"),
    Rule("line without colon", "server", get(b"X-y"), "without a colon"),
    Rule(
        "whitespace before first field",
        "server",
        head(b"GET / HTTP/1.1", b" X: y", HOST),
        "whitespace before the first",
    ),
    Rule("NUL in value", "server", get(b"X: a\x00b"), "NUL byte in value"),
    Rule("bare CR in value", "server", get(b"X: a\rb"), "bare CR"),
    Rule("bare LF in value", "server", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\nb: c\r\n\r\n", "bare LF"),
    Rule("other control in value", "server", get(b"X: a\x0bb"), "control character in value"),
    Rule("obs-fold in a request", "server", get(b"X: a", b" b"), "obsolete line folding"),
    Rule("NUL in response value", "client", b"HTTP/1.1 200 OK\r\nX: a\x00\r\n\r\n", "NUL byte in value"),
    Rule("space before colon in response", "client", b"HTTP/1.1 200 OK\r\nX : y\r\n\r\n", "whitespace before colon"),
    Rule("missing Host", "server", head(b"GET / HTTP/1.1"), "missing Host"),
    Rule("two Host fields", "server", get(HOST), "more than one Host"),
    Rule("Host not a host", "server", head(b"GET / HTTP/1.1", b"Host: a b"), "invalid Host"),
    # -- framing fields ------------------------------------------------------
    Rule(
        "CL and TE together",
        "server",
        post(b"Content-Length: 3", b"Transfer-Encoding: chunked"),
        "both Transfer-Encoding and Content-Length",
    ),
    Rule(
        "TE final coding not chunked",
        "server",
        post(b"Transfer-Encoding: chunked, gzip"),
        "final transfer coding is b'gzip'",
    ),
    Rule(
        "TE coding we lack",
        "server",
        post(b"Transfer-Encoding: gzip, chunked"),
        "unsupported transfer coding b'gzip'",
        501,
    ),
    Rule("TE chunked twice", "server", post(b"Transfer-Encoding: chunked, chunked"), "more than once"),
    Rule("TE in HTTP/1.0 request", "server", head(b"POST / HTTP/1.0", b"Transfer-Encoding: chunked"), "HTTP/1.0"),
    Rule("conflicting CL fields", "server", post(b"Content-Length: 3", b"Content-Length: 4"), "conflicting values"),
    Rule("conflicting CL list", "server", post(b"Content-Length: 3, 4"), "conflicting values"),
    Rule("CL with sign", "server", post(b"Content-Length: +3"), "invalid Content-Length"),
    Rule("CL negative", "server", post(b"Content-Length: -3"), "invalid Content-Length"),
    Rule("CL with underscore", "server", post(b"Content-Length: 1_0"), "invalid Content-Length"),
    Rule("CL with inner space", "server", post(b"Content-Length: 1 0"), "invalid Content-Length"),
    Rule("CL in hex", "server", post(b"Content-Length: 0x10"), "invalid Content-Length"),
    Rule("CL empty", "server", post(b"Content-Length:"), "invalid Content-Length"),
    Rule("CL absurdly long", "server", post(b"Content-Length: " + b"9" * 20), "invalid Content-Length"),
    Rule("CL non-ASCII digit", "server", post(b"Content-Length: \xd9\xa3"), "invalid Content-Length"),
    Rule("response CL invalid", "client", b"HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n", "invalid Content-Length"),
    Rule(
        "response CL conflicting",
        "client",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "conflicting values",
    ),
    # -- chunked framing -----------------------------------------------------
    Rule("chunk size with 0x", "server", post_chunked(b"0x5\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk size with sign", "server", post_chunked(b"+5\r\nhello\r\n0\r\n\r\n"), "invalid chunk size"),
    Rule("chunk size negative", "server", post_chunked(b"-5\r\nhello\r\n0\r\n\r\n"), "invalid chunk size"),
    Rule("chunk size with underscore", "server", post_chunked(b"5_0\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk size leading space", "server", post_chunked(b" 5\r\nhello\r\n0\r\n\r\n"), "invalid chunk size"),
    Rule("chunk size trailing space", "server", post_chunked(b"5 \r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk size inner space", "server", post_chunked(b"5 0\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk size empty", "server", post_chunked(b"\r\nhello\r\n0\r\n\r\n"), "invalid chunk size"),
    Rule("chunk size 17 hex digits", "server", post_chunked(b"1" + b"0" * 16 + b"\r\n"), "chunk size too large"),
    Rule("chunk-ext without name", "server", post_chunked(b"5;\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk-ext empty value", "server", post_chunked(b"5;a=\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule(
        "chunk-ext unterminated quote",
        "server",
        post_chunked(b'5;a="b\r\nhello\r\n0\r\n\r\n'),
        "invalid chunk extension",
    ),
    Rule(
        "chunk-ext with space in value",
        "server",
        post_chunked(b"5;a=b c\r\nhello\r\n0\r\n\r\n"),
        "invalid chunk extension",
    ),
    Rule("chunk-ext with NUL", "server", post_chunked(b"5;a\x00\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk-ext with bare CR", "server", post_chunked(b"5;a\rb\r\nhello\r\n0\r\n\r\n"), "invalid chunk extension"),
    Rule("chunk-ext with bare LF", "server", post_chunked(b"5;a\nb\r\nhello\r\n0\r\n\r\n"), "bare LF"),
    Rule("chunk-size line bare LF", "server", post_chunked(b"5\nhello\r\n0\r\n\r\n"), "bare LF"),
    Rule("chunk data then LF", "server", post_chunked(b"5\r\nhello\n0\r\n\r\n"), "chunk data not followed by CRLF"),
    Rule("chunk data too long", "server", post_chunked(b"5\r\nhello!\r\n0\r\n\r\n"), "chunk data not followed by CRLF"),
    Rule(
        "chunk data then CR CR LF",
        "server",
        post_chunked(b"5\r\nhello\r\r\n0\r\n\r\n"),
        "chunk data not followed by CRLF",
    ),
    Rule("last chunk then bare LF", "server", post_chunked(b"0\r\n\n"), "bare LF"),
    Rule("trailer without colon", "server", post_chunked(b"0\r\nX\r\n\r\n"), "without a colon"),
    Rule("trailer bare LF", "server", post_chunked(b"0\r\nX: y\n\r\n"), "bare LF"),
    Rule("trailer obs-fold in a request", "server", post_chunked(b"0\r\nX: y\r\n z\r\n\r\n"), "obsolete line folding"),
    Rule(
        "trailer Content-Length",
        "server",
        post_chunked(b"0\r\nContent-Length: 5\r\n\r\n"),
        "content-length header field not allowed in trailers",
    ),
    Rule(
        "trailer Transfer-Encoding",
        "server",
        post_chunked(b"0\r\nTransfer-Encoding: chunked\r\n\r\n"),
        "transfer-encoding header field not allowed",
    ),
    Rule("response chunk-size line bare LF", "client", response_chunked(b"5\nhello\r\n0\r\n\r\n"), "bare LF"),
    Rule(
        "response chunk data then LF",
        "client",
        response_chunked(b"5\r\nhello\n0\r\n\r\n"),
        "chunk data not followed by CRLF",
    ),
    Rule("response trailer bare LF", "client", response_chunked(b"0\r\nX: y\n\n"), "bare LF"),
    Rule(
        "response trailer Content-Length",
        "client",
        response_chunked(b"0\r\nContent-Length: 1\r\n\r\n"),
        "not allowed in trailers",
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_rule_rejected_whole(rule: Rule) -> None:
    error = error_from(rule.role, rule.wire)
    assert rule.message in error.msg
    assert error.error_status_hint == rule.hint


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_rule_rejected_byte_by_byte(rule: Rule) -> None:
    """The same verdict when the bytes trickle in: no rule depends on the
    whole message having arrived at once."""
    conn = receiver(rule.role)
    with pytest.raises(ProtocolError) as info:
        for index in range(len(rule.wire)):
            conn.receive_data(rule.wire[index : index + 1])
        conn.receive_data(None)
    assert rule.message in info.value.msg
    assert info.value.error_status_hint == rule.hint


def test_rule_names_are_unique() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)


# -- what is accepted, where the RFC leaves a choice --------------------------


def test_leading_crlf_before_request_skipped() -> None:
    # RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request.
    events = events_from("server", b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert events == [Request(method="GET", target="/", headers=[("Host", "a")]), EndOfMessage()]


def test_obs_fold_in_response_becomes_one_space() -> None:
    # RFC 9112 §5.2: a user agent MUST replace each obs-fold with SP.
    events = events_from("client", b"HTTP/1.1 200 OK\r\nX: a\r\n \t b\r\nContent-Length: 0\r\n\r\n")
    assert events == [
        Response(status_code=200, headers=[("X", "a b"), ("Content-Length", "0")], reason="OK"),
        EndOfMessage(),
    ]


def test_obs_fold_in_response_trailer_becomes_one_space() -> None:
    events = events_from("client", response_chunked(b"0\r\nX: a\r\n b\r\n\r\n"))
    assert events[-1] == EndOfMessage(headers=[("X", "a b")])


def test_obs_text_in_values_passed_through_untouched() -> None:
    # RFC 9110 §5.5: obs-text is opaque data; we neither reject nor decode it.
    events = events_from("server", get(b"X: caf\xc3\xa9 \xa0\xff"))
    assert events[0].headers[1] == (b"x", b"caf\xc3\xa9 \xa0\xff")  # type: ignore[attr-defined]
    events = events_from("client", b"HTTP/1.1 200 OK\r\nX: \x85\r\nContent-Length: 0\r\n\r\n")
    assert events[0].headers[0] == (b"x", b"\x85")  # type: ignore[attr-defined]


def test_obs_text_does_not_disguise_a_framing_value() -> None:
    # Some parsers strip Unicode whitespace (NEL, NBSP) from decoded values;
    # for us the byte is part of the value, so the coding is not "chunked".
    error = error_from("server", post(b"Transfer-Encoding: chunked\x85"))
    assert error.msg == "final transfer coding is b'chunked\\x85', not chunked"
    error = error_from("server", post(b"Content-Length: 3\xa0"))
    assert error.msg.startswith("invalid Content-Length")


def test_identical_content_lengths_accepted_as_one() -> None:
    events = events_from("server", post(b"Content-Length: 3, 3", b"Content-Length: 3") + b"abc")
    assert events == [
        Request(method="POST", target="/", headers=[("Host", "a"), ("Content-Length", "3")]),
        Data(data=b"abc"),
        EndOfMessage(),
    ]


def test_response_with_te_and_cl_framed_by_te() -> None:
    # RFC 9112 §6.3 item 3: Transfer-Encoding overrides Content-Length. A
    # client has no choice but to read the response; the length is ignored.
    wire = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    events = events_from("client", wire)
    assert events[1:] == [Data(data=b"abc"), EndOfMessage()]


def test_response_te_not_ending_in_chunked_read_until_close() -> None:
    # RFC 9112 §6.3 item 4, for responses: the body runs until the server closes.
    client = client_waiting_for()
    events = client.receive_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz")
    assert events[1:] == [Data(data=b"xyz")]
    assert client.receive_data(b"")[0] == EndOfMessage()


def test_lenient_bare_lf_in_response_head_only() -> None:
    # A client accepts LF-only response heads from old servers...
    events = events_from("client", b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
    assert events == [
        Response(status_code=200, headers=[("Content-Length", "2")], reason="OK"),
        Data(data=b"ok"),
        EndOfMessage(),
    ]
    # ...but never in chunked framing, where the message boundary is decided.
    error = error_from("client", b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\r\n0\r\n\r\n")
    assert "bare LF line ending in chunk-size line" in error.msg


def test_chunk_extensions_in_their_grammar_accepted() -> None:
    wire = post_chunked(b'3 ; a ; b = c ;d="q\\"\t;"\r\nabc\r\n0;last\r\nX: y\r\n\r\n')
    events = events_from("server", wire)
    assert events[1:] == [Data(data=b"abc"), EndOfMessage(headers=[("X", "y")])]


# -- the limits, through Connection ------------------------------------------


def test_head_over_max_buffer_size_is_431() -> None:
    wire = get(b"X: " + b"y" * 100)
    assert len(events_from("server", wire)) == 2
    error = error_from("server", wire, max_buffer_size=len(wire) - 1)
    assert (error.msg, error.error_status_hint) == (f"request head too large (limit {len(wire) - 1} bytes)", 431)
    error = error_from("client", b"HTTP/1.1 200 OK\r\nX: " + b"y" * 100 + b"\r\n\r\n", max_buffer_size=50)
    assert (error.msg, error.error_status_hint) == ("response head too large (limit 50 bytes)", 431)


def test_head_exactly_max_buffer_size_accepted() -> None:
    wire = head(b"GET / HTTP/1.1", HOST)
    assert receive_all(Connection(SERVER, max_buffer_size=len(wire)), wire)[1] == EndOfMessage()


def test_too_many_header_fields_is_431() -> None:
    wire = get(b"A: 1", b"B: 2")
    assert len(receive_all(Connection(SERVER, max_header_count=3), wire)) == 2
    error = error_from("server", wire, max_header_count=2)
    assert (error.msg, error.error_status_hint) == ("too many header fields (limit 2)", 431)


def test_too_many_trailer_fields_is_431() -> None:
    error = error_from("server", post_chunked(b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), max_header_count=2)
    assert (error.msg, error.error_status_hint) == ("too many trailer fields (limit 2)", 431)


def test_chunk_size_line_over_max_buffer_size_is_400() -> None:
    prefix = post_chunked(b"")
    line = b"5;" + b"a" * 60 + b"\r\n"
    error = error_from("server", prefix + line + b"hello\r\n0\r\n\r\n", max_buffer_size=len(line) - 1)
    assert (error.msg, error.error_status_hint) == (f"chunk-size line too long (limit {len(line) - 1} bytes)", 400)


def test_trailer_section_over_max_buffer_size_is_431() -> None:
    trailers = b"X: " + b"y" * 80 + b"\r\n\r\n"
    wire = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + trailers
    error = error_from("server", wire, max_buffer_size=len(trailers) - 1)
    assert (error.msg, error.error_status_hint) == (f"trailer section too large (limit {len(trailers) - 1} bytes)", 431)
