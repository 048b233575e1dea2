"""Reading request and response heads: exact events, and one test per rule."""

from __future__ import annotations

import pytest

from h11sm._codec import ReceiveBuffer, read_request_head, read_response_head
from h11sm._errors import ProtocolError
from h11sm._events import InformationalResponse, Request, Response


def buffer_with(data: bytes) -> ReceiveBuffer:
    buf = ReceiveBuffer()
    buf.feed(data)
    return buf


def request(data: bytes, **limits: int) -> Request:
    buf = buffer_with(data)
    event = read_request_head(buf, **limits)
    assert event is not None
    assert not buf, f"left over: {buf.take_all()!r}"
    return event


def response(
    data: bytes, *, lenient: bool = False, **limits: int
) -> InformationalResponse | Response:
    buf = buffer_with(data)
    event = read_response_head(buf, lenient=lenient, **limits)
    assert event is not None
    assert not buf, f"left over: {buf.take_all()!r}"
    return event


def request_error(data: bytes, **limits: int) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        read_request_head(buffer_with(data), **limits)
    return info.value


def response_error(data: bytes, *, lenient: bool = False, **limits: int) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        read_response_head(buffer_with(data), lenient=lenient, **limits)
    return info.value


def feed_bytewise_request(data: bytes, **limits: int) -> Request | None:
    buf = ReceiveBuffer()
    for index in range(len(data)):
        buf.feed(data[index : index + 1])
        event = read_request_head(buf, **limits)
        if event is not None:
            return event
    return None


# -- requests: what is accepted ------------------------------------------------


def test_simple_request() -> None:
    assert request(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n") == Request(
        method=b"GET", target=b"/", headers=[(b"host", b"example.com")], http_version=b"1.1"
    )


def test_request_fields_names_lowercased_values_kept() -> None:
    event = request(
        b"POST /upload?x=1 HTTP/1.1\r\nHOST: a.example\r\nX-Thing: MiXeD Case\r\n"
        b"Content-Length: 3\r\n\r\n"
    )
    assert event.method == b"POST"
    assert event.target == b"/upload?x=1"
    assert event.http_version == b"1.1"
    assert event.headers == [
        (b"host", b"a.example"),
        (b"x-thing", b"MiXeD Case"),
        (b"content-length", b"3"),
    ]


def test_incomplete_head_returns_none_and_keeps_bytes() -> None:
    buf = buffer_with(b"GET / HTTP/1.1\r\nHost: a\r\n")
    assert read_request_head(buf) is None
    assert len(buf) == 25
    buf.feed(b"\r\n")
    assert read_request_head(buf) == Request(method="GET", target="/", headers=[("Host", "a")])


def test_bytes_after_the_head_stay_in_the_buffer() -> None:
    buf = buffer_with(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody bytes")
    assert read_request_head(buf) is not None
    assert buf.take_all() == b"body bytes"


def test_request_without_fields() -> None:
    assert request(b"GET / HTTP/1.0\r\n\r\n") == Request(
        method=b"GET", target=b"/", headers=[], http_version=b"1.0"
    )


def test_field_value_whitespace_is_stripped_and_inner_whitespace_kept() -> None:
    event = request(b"GET / HTTP/1.1\r\nHost:a\r\nX: \t a \t b \t\r\nEmpty:\r\nBlank:   \r\n\r\n")
    assert event.headers == [(b"host", b"a"), (b"x", b"a \t b"), (b"empty", b""), (b"blank", b"")]


def test_obs_text_in_values_passes_through() -> None:
    event = request(b"GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9 \xff\r\n\r\n")
    assert event.headers[1] == (b"x", b"caf\xc3\xa9 \xff")


def test_obs_fold_in_response_becomes_one_space() -> None:
    event = response(
        b"HTTP/1.1 200 OK\r\nHost: a\r\nX: first  \r\n   second\r\n\tthird \r\n \r\nY: z\r\n\r\n"
    )
    assert event.headers == [(b"host", b"a"), (b"x", b"first second third"), (b"y", b"z")]


def test_obs_fold_in_response_continuing_an_empty_value() -> None:
    event = response(b"HTTP/1.1 200 OK\r\nHost: a\r\nX:\r\n  b\r\n\r\n")
    assert event.headers[1] == (b"x", b"b")


def test_obs_fold_in_request_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\nX: first\r\n second\r\n\r\n")
    assert error.msg == "obsolete line folding in header field b'X' is not accepted"
    assert error.error_status_hint == 400


def test_empty_lines_before_request_line_are_skipped() -> None:
    assert request(b"\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n").target == b"/"


def test_empty_lines_skipped_when_they_arrive_split() -> None:
    buf = buffer_with(b"\r")
    assert read_request_head(buf) is None
    buf.feed(b"\n\r")
    assert read_request_head(buf) is None
    assert buf.take_all() == b"\r"


def test_http_1_x_minor_versions_kept() -> None:
    assert request(b"GET / HTTP/1.9\r\nHost: a\r\n\r\n").http_version == b"1.9"


def test_http_1_0_needs_no_host() -> None:
    assert request(b"GET / HTTP/1.0\r\nX: y\r\n\r\n").headers == [(b"x", b"y")]


@pytest.mark.parametrize(
    ("method", "target"),
    [
        (b"GET", b"/"),
        (b"GET", b"//double/slash?q=%20#x"),
        (b"GET", b"http://example.com/path"),
        (b"GET", b"https://example.com"),
        (b"OPTIONS", b"*"),
        (b"OPTIONS", b"/"),
        (b"CONNECT", b"example.com:443"),
        (b"CONNECT", b"[::1]:8080"),
        (b"CONNECT", b"10.0.0.1:1"),
        (b"M-SEARCH", b"/dav/"),
    ],
)
def test_request_target_forms(method: bytes, target: bytes) -> None:
    event = request(b"%s %s HTTP/1.1\r\nHost: a\r\n\r\n" % (method, target))
    assert (event.method, event.target) == (method, target)


@pytest.mark.parametrize(
    "host",
    [b"", b"example.com", b"example.com:80", b"[::1]", b"[::1]:8000", b"127.0.0.1:", b"a%20b"],
)
def test_valid_host_values(host: bytes) -> None:
    assert request(b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host).headers == [(b"host", host)]


def test_content_length_list_of_identical_values_collapsed() -> None:
    event = request(
        b"POST / HTTP/1.1\r\nContent-Length: 5 , 5\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
    )
    assert event.headers == [(b"content-length", b"5"), (b"host", b"a")]


def test_single_content_length_kept_as_is() -> None:
    event = request(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n")
    assert event.headers == [(b"host", b"a"), (b"content-length", b"007")]


def test_content_length_of_nineteen_digits_accepted() -> None:
    digits = b"9" * 19
    event = request(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\n" % digits)
    assert event.headers[1] == (b"content-length", digits)


@pytest.mark.parametrize("value", [b"chunked", b"Chunked", b"CHUNKED "])
def test_transfer_encoding_chunked_accepted(value: bytes) -> None:
    event = request(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: %s\r\n\r\n" % value)
    assert event.headers[1] == (b"transfer-encoding", value.strip())


def test_head_exactly_at_the_size_limit() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    assert request(data, max_head_size=len(data)).target == b"/"
    assert feed_bytewise_request(data, max_head_size=len(data)) is not None


def test_header_count_exactly_at_the_limit() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n"
    assert len(request(data, max_header_count=3).headers) == 3


# -- requests: what is rejected ----------------------------------------------


@pytest.mark.parametrize(
    ("line", "detail"),
    [
        (b"GET  / HTTP/1.1", "expected method SP request-target SP HTTP-version"),
        (b"GET / HTTP/1.1 ", "expected method SP request-target SP HTTP-version"),
        (b"GET /", "expected method SP request-target SP HTTP-version"),
        (b"GET\t/ HTTP/1.1", "expected method SP request-target SP HTTP-version"),
        (b"G(T / HTTP/1.1", "invalid method"),
        (b" / HTTP/1.1", "invalid method"),
        (b"GET /\x7f HTTP/1.1", "invalid request target"),
        (b"GET /caf\xc3\xa9 HTTP/1.1", "invalid request target"),
        (b"GET / http/1.1", "invalid HTTP version"),
        (b"GET / HTTP/1", "invalid HTTP version"),
        (b"GET / HTTP/10.0", "invalid HTTP version"),
        (b"GET / HTTP/1.1.1", "invalid HTTP version"),
    ],
)
def test_illegal_request_line(line: bytes, detail: str) -> None:
    error = request_error(line + b"\r\nHost: a\r\n\r\n")
    assert error.msg.startswith("illegal request line: " + detail)
    assert error.error_status_hint == 400


@pytest.mark.parametrize("version", [b"2.0", b"0.9", b"3.1"])
def test_unsupported_major_version_is_505(version: bytes) -> None:
    error = request_error(b"GET / HTTP/%s\r\nHost: a\r\n\r\n" % version)
    assert error.msg == f"unsupported HTTP version {version.decode()}"
    assert error.error_status_hint == 505


def test_bare_lf_ending_the_request_line_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\nHost: a\r\n\r\n")
    assert error.msg == "bare LF line ending in request line (only CRLF is accepted)"


def test_bare_lf_rejected_as_soon_as_it_arrives() -> None:
    buf = buffer_with(b"GET / HTTP/1.1\r\nHost: a\r\n")
    assert read_request_head(buf) is None
    buf.feed(b"X: y\n")
    with pytest.raises(ProtocolError, match="bare LF line ending in request head"):
        read_request_head(buf)


def test_bare_lf_only_head_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\nHost: a\n\n")
    assert error.msg == "bare LF line ending in request head (only CRLF is accepted)"


def test_bare_lf_after_resumed_scan_seen_across_calls() -> None:
    # The CR arrives in one call and the LF in the next: not a bare LF.
    buf = buffer_with(b"GET / HTTP/1.1\r")
    assert read_request_head(buf) is None
    buf.feed(b"\nHost: a\r")
    assert read_request_head(buf) is None
    buf.feed(b"\n\r\n")
    assert read_request_head(buf) is not None


def test_bare_lf_between_fields_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n")
    assert error.msg == "bare LF line ending in field section (only CRLF is accepted)"


def test_bare_lf_as_empty_line_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\n\nX: y\r\n\r\n")
    assert error.msg == "bare LF line ending in field section (only CRLF is accepted)"


def test_bare_cr_in_request_line_rejected() -> None:
    assert request_error(b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n").msg == "bare CR in request line"


def test_bare_cr_in_field_value_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n")
    assert error.msg == "bare CR in field section"


def test_leading_bare_lf_is_not_an_empty_line() -> None:
    # As in the rest of a request head, a bare LF is not a line ending
    # (RFC 9112 §2.2), and it is refused as soon as it arrives.
    error = request_error(b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert error.msg == "bare LF line ending in request head (only CRLF is accepted)"
    assert error.error_status_hint == 400
    for data in (b"\n", b"\r\n\n", b"\r\n\r\n\nGET"):
        with pytest.raises(ProtocolError, match=r"^bare LF line ending in request head \(only CRLF is accepted\)$"):
            read_request_head(buffer_with(data))


def test_whitespace_before_colon_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost : a\r\n\r\n")
    assert error.msg == "whitespace before colon in header field b'Host'"
    assert error.error_status_hint == 400


def test_tab_before_colon_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\nX\t: y\r\n\r\n")
    assert error.msg.startswith("whitespace before colon in header field")


def test_whitespace_before_first_field_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\n Host: a\r\n\r\n")
    assert error.msg == "whitespace before the first header field line"


def test_field_line_without_colon_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n")
    assert error.msg == "header field line without a colon: b'no colon here'"


def test_empty_field_name_rejected() -> None:
    assert request_error(b"GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n").msg == (
        "empty header field name"
    )


@pytest.mark.parametrize("name", [b"X(Y", b"a\x00b", b"caf\xc3\xa9", b"x/y", b'"q"'])
def test_invalid_field_name_rejected(name: bytes) -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\n%s: v\r\n\r\n" % name)
    assert error.msg == f"invalid header field name {name!r}"


def test_nul_in_field_value_rejected() -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n")
    assert error.msg == "NUL byte in value of header field b'X'"


@pytest.mark.parametrize("control", [b"\x01", b"\x0b", b"\x0c", b"\x1f", b"\x7f"])
def test_control_character_in_field_value_rejected(control: bytes) -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: a\r\nX: a%sb\r\n\r\n" % control)
    assert error.msg == "control character in value of header field b'X'"


def test_control_character_in_folded_value_rejected() -> None:
    error = response_error(b"HTTP/1.1 200 OK\r\nHost: a\r\nX: a\r\n b\x01\r\n\r\n")
    assert error.msg == "control character in value of header field b'X'"


def test_head_too_large_in_one_piece() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    error = request_error(data, max_head_size=len(data) - 1)
    assert error.error_status_hint == 431
    assert error.msg == f"request head too large (limit {len(data) - 1} bytes)"


def test_head_too_large_byte_by_byte() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    with pytest.raises(ProtocolError) as info:
        feed_bytewise_request(data, max_head_size=len(data) - 1)
    assert info.value.error_status_hint == 431


def test_head_too_large_without_any_terminator() -> None:
    buf = buffer_with(b"GET /" + b"a" * 100)
    with pytest.raises(ProtocolError, match="request head too large") as info:
        read_request_head(buf, max_head_size=50)
    assert info.value.error_status_hint == 431


def test_head_limit_outcome_independent_of_splitting() -> None:
    data = b"\r\n\r\nGET /abc HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\nNEXT"
    for limit in range(1, len(data) + 2):
        outcomes = set()
        for split in range(len(data) + 1):
            buf = ReceiveBuffer()
            result: object = None
            try:
                for piece in (data[:split], data[split:]):
                    buf.feed(piece)
                    result = read_request_head(buf, max_head_size=limit) or result
            except ProtocolError as error:
                result = error.error_status_hint
            outcomes.add(repr(result))
        assert len(outcomes) == 1, (limit, outcomes)


@pytest.mark.parametrize("past_the_limit", [b"\r\n\r\n", b"\nx", b"\rx", b"a\r\nb\n", b"\r"])
def test_line_endings_past_the_limit_leave_a_trickled_head_too_large(past_the_limit: bytes) -> None:
    # The resumed scan checks the new bytes for a CR or LF without the
    # limit as a bound; whatever lies past it, the verdict is the size, as
    # when the same bytes arrive in one piece.
    start = b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"v" * 30
    limit = len(start) + 5
    buf = ReceiveBuffer()
    for index in range(len(start)):
        buf.feed(start[index : index + 1])
        assert read_request_head(buf, max_head_size=limit) is None
    assert buf.scan_pos > 0  # (the next search resumes)
    buf.feed(b"v" * 5 + past_the_limit)
    with pytest.raises(ProtocolError) as info:
        read_request_head(buf, max_head_size=limit)
    whole = request_error(start + b"v" * 5 + past_the_limit, max_head_size=limit)
    assert (info.value.msg, info.value.error_status_hint) == (whole.msg, whole.error_status_hint)
    assert (whole.msg, whole.error_status_hint) == (f"request head too large (limit {limit} bytes)", 431)


def test_empty_lines_count_towards_the_head_limit() -> None:
    data = b"\r\n" * 10 + b"GET / HTTP/1.0\r\n\r\n"
    assert request(data, max_head_size=len(data)).target == b"/"
    error = request_error(data, max_head_size=len(data) - 1)
    assert error.error_status_hint == 431
    assert error.msg == f"request head too large (limit {len(data) - 1} bytes)"


def test_endless_empty_lines_are_refused() -> None:
    buf = ReceiveBuffer()
    with pytest.raises(ProtocolError) as info:
        for _ in range(100):
            buf.feed(b"\r\n")
            read_request_head(buf, max_head_size=64)
    assert info.value.error_status_hint == 431
    assert len(buf) == 0  # the empty lines were never kept


def test_too_many_header_fields() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n"
    error = request_error(data, max_header_count=2)
    assert error.msg == "too many header fields (limit 2)"
    assert error.error_status_hint == 431


@pytest.mark.parametrize(
    "value",
    [
        b"abc",
        b"-1",
        b"+5",
        b"5 5",
        b"0x10",
        b"5,",
        b",5",
        b"5,,5",
        b"1" * 20,
        b"\xd9\xa3",
        b"\xef\xbc\x95",
        b"",
    ],
)
def test_invalid_content_length_rejected(value: bytes) -> None:
    error = request_error(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\n" % value)
    assert error.msg.startswith("invalid Content-Length")
    assert error.error_status_hint == 400


def test_differing_content_lengths_in_one_field_rejected() -> None:
    error = request_error(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n")
    assert error.msg == "invalid Content-Length: conflicting values"


def test_differing_content_length_fields_rejected() -> None:
    error = request_error(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n"
    )
    assert error.msg == "invalid Content-Length: conflicting values"


def test_transfer_encoding_with_content_length_rejected() -> None:
    error = request_error(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    assert error.msg == "request has both Transfer-Encoding and Content-Length"
    assert error.error_status_hint == 400


def test_transfer_encoding_in_http_1_0_request_rejected() -> None:
    error = request_error(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert error.msg == "Transfer-Encoding in an HTTP/1.0 request"


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        (b"gzip", "final transfer coding is b'gzip', not chunked", 400),
        (b"chunked, gzip", "final transfer coding is b'gzip', not chunked", 400),
        (b"identity", "final transfer coding is b'identity', not chunked", 400),
        (b"chunked;q=1", "final transfer coding is b'chunked;q=1', not chunked", 400),
        (b"gzip, chunked", "unsupported transfer coding b'gzip'", 501),
        (b"chunked, chunked", "chunked transfer coding applied more than once", 400),
        (b"", "empty Transfer-Encoding list element in b''", 400),
        (b" , ", "empty Transfer-Encoding list element in b','", 400),
        # Empty list elements are an obfuscation shape (issue 14): refused.
        (b"chunked,", "empty Transfer-Encoding list element in b'chunked,'", 400),
        (b"chunked , ", "empty Transfer-Encoding list element in b'chunked ,'", 400),
        (b"chunked,,", "empty Transfer-Encoding list element in b'chunked,,'", 400),
        (b", CHUNKED", "empty Transfer-Encoding list element in b', CHUNKED'", 400),
        (b"," * 16000 + b"chunked", "empty Transfer-Encoding list element in b'%s'" % ("," * 40), 400),
    ],
)
def test_transfer_encodings_other_than_chunked_rejected(
    value: bytes, message: str, hint: int
) -> None:
    error = request_error(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: %s\r\n\r\n" % value)
    assert (error.msg, error.error_status_hint) == (message, hint)


def test_transfer_encoding_split_over_fields_is_one_list() -> None:
    error = request_error(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        b"Transfer-Encoding: gzip\r\n\r\n"
    )
    assert error.msg == "final transfer coding is b'gzip', not chunked"


def test_missing_host_rejected() -> None:
    assert request_error(b"GET / HTTP/1.1\r\nX: y\r\n\r\n").msg == (
        "missing Host header field in HTTP/1.1 request"
    )


def test_missing_host_rejected_without_any_fields() -> None:
    assert request_error(b"GET / HTTP/1.1\r\n\r\n").msg == (
        "missing Host header field in HTTP/1.1 request"
    )


def test_missing_host_rejected_when_other_watched_fields_present() -> None:
    error = request_error(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    assert error.msg == "missing Host header field in HTTP/1.1 request"


def test_two_host_fields_rejected() -> None:
    error = request_error(b"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n")
    assert error.msg == "more than one Host header field"


@pytest.mark.parametrize("host", [b"a b", b"a/b", b"a@b", b"[::1", b"a:b", b"\xff"])
def test_invalid_host_rejected(host: bytes) -> None:
    error = request_error(b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host)
    assert error.msg == f"invalid Host header field {host!r}"


@pytest.mark.parametrize(
    ("method", "target", "message"),
    [
        (b"GET", b"*", "asterisk-form request target is only allowed with OPTIONS"),
        (b"GET", b"example.com:80", "authority-form request target is only allowed with CONNECT"),
        (b"CONNECT", b"/", "CONNECT request target must be in authority-form (host:port)"),
        (b"CONNECT", b"example.com", "CONNECT request target must be in authority-form"),
        (b"CONNECT", b"http://a:1/", "CONNECT request target must be in authority-form"),
        (b"GET", b"index.html", "invalid request target b'index.html'"),
        (b"GET", b"http:/x", "invalid request target"),
        (b"GET", b"1http://x", "invalid request target"),
    ],
)
def test_request_target_form_rules(method: bytes, target: bytes, message: str) -> None:
    error = request_error(b"%s %s HTTP/1.1\r\nHost: a\r\n\r\n" % (method, target))
    assert error.msg.startswith(message)


# -- responses ---------------------------------------------------------------


def test_simple_response() -> None:
    assert response(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == Response(
        status_code=200, headers=[(b"content-length", b"0")], http_version=b"1.1", reason=b"OK"
    )


def test_informational_response() -> None:
    assert response(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n") == (
        InformationalResponse(
            status_code=101, headers=[(b"upgrade", b"x")], reason=b"Switching Protocols"
        )
    )


def test_reason_phrase_may_hold_spaces_tabs_and_obs_text() -> None:
    assert response(b"HTTP/1.0 404 Not \tFound \xe2\x9c\x97\r\n\r\n").reason == (
        b"Not \tFound \xe2\x9c\x97"
    )


def test_empty_reason_after_space() -> None:
    assert response(b"HTTP/1.1 200 \r\n\r\n").reason == b""


def test_missing_space_and_reason_accepted() -> None:
    event = response(b"HTTP/1.1 204\r\n\r\n")
    assert (event.status_code, event.reason) == (204, b"")


@pytest.mark.parametrize("status", [100, 199, 200, 599])
def test_status_code_range_edges(status: int) -> None:
    event = response(b"HTTP/1.1 %d X\r\n\r\n" % status)
    assert event.status_code == status
    assert type(event) is (InformationalResponse if status < 200 else Response)


@pytest.mark.parametrize("status", [b"000", b"099"])
def test_status_code_below_100_rejected(status: bytes) -> None:
    error = response_error(b"HTTP/1.1 %s X\r\n\r\n" % status)
    assert (error.msg, error.error_status_hint) == (
        f"status code {status.decode()} out of range (no 0xx class exists)",
        400,
    )


@pytest.mark.parametrize("status", [600, 799, 999])
def test_status_code_above_599_accepted(status: int) -> None:
    # RFC 9110 §15: a client accepts any three-digit final status.
    event = response(b"HTTP/1.1 %d X\r\n\r\n" % status)
    assert event == Response(status_code=status, reason=b"X")


@pytest.mark.parametrize(
    ("line", "detail"),
    [
        (b"HTTP/1.1 2000 OK", "invalid status code"),
        (b"HTTP/1.1 20 OK", "invalid status code"),
        (b"HTTP/1.1 abc OK", "invalid status code"),
        (b"HTTP/1.1", "invalid status code"),
        (b"HTTP/1.1  200 OK", "invalid status code"),
        (b"HTP/1.1 200 OK", "invalid HTTP version"),
        (b"HTTP/1 200 OK", "invalid HTTP version"),
        (b"http/1.1 200 OK", "invalid HTTP version"),
    ],
)
def test_illegal_status_line(line: bytes, detail: str) -> None:
    error = response_error(line + b"\r\n\r\n")
    assert error.msg.startswith("illegal status line: " + detail)


def test_response_major_version_other_than_1_is_505() -> None:
    error = response_error(b"HTTP/2.0 200 OK\r\n\r\n")
    assert (error.msg, error.error_status_hint) == ("unsupported HTTP version 2.0", 505)


def test_bare_lf_response_rejected_when_strict() -> None:
    error = response_error(b"HTTP/1.1 200 OK\nX: y\r\n\r\n")
    assert error.msg == "bare LF line ending in status line (only CRLF is accepted)"


def test_bare_cr_in_status_line_rejected() -> None:
    assert response_error(b"HTTP/1.1 200 O\rK\r\n\r\n").msg == "bare CR in status line"
    # A complete head is judged by its line, leniently too; one still
    # arriving is refused as soon as the byte after the CR is there.
    assert response_error(b"HTTP/1.1 200 O\rK\n\n", lenient=True).msg == "bare CR in status line"
    assert response_error(b"HTTP/1.1 200 O\rK", lenient=True).msg == (
        "bare CR in response head (only CRLF is accepted)"
    )


def test_lenient_response_accepts_bare_lf() -> None:
    event = response(b"HTTP/1.1 200 OK\nContent-Length: 2\nX: y\r\n\n", lenient=True)
    assert event == Response(
        status_code=200, headers=[(b"content-length", b"2"), (b"x", b"y")], reason=b"OK"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\n\n",
        b"HTTP/1.1 200 OK\n\r\n",
        b"HTTP/1.1 200 OK\r\n\n",
        b"HTTP/1.1 200 OK\r\n\r\n",
    ],
)
def test_lenient_head_terminators(data: bytes) -> None:
    assert response(data, lenient=True).reason == b"OK"


def test_lenient_head_found_when_split() -> None:
    buf = buffer_with(b"HTTP/1.1 200 OK\n")
    assert read_response_head(buf, lenient=True) is None
    buf.feed(b"\r")
    assert read_response_head(buf, lenient=True) is None
    buf.feed(b"\nrest")
    assert read_response_head(buf, lenient=True) is not None
    assert buf.take_all() == b"rest"


def test_lenient_still_rejects_bare_cr() -> None:
    error = response_error(b"HTTP/1.1 200 OK\nX: a\rb\n\n", lenient=True)
    assert (error.msg, error.error_status_hint) == ("bare CR in field section", 400)


def test_lenient_obs_fold() -> None:
    event = response(b"HTTP/1.1 200 OK\nX: a\n b\r\n\n", lenient=True)
    assert event.headers == [(b"x", b"a b")]


def test_lenient_too_large_head() -> None:
    error = response_error(b"HTTP/1.1 200 OK\n" + b"X: y\n" * 10, lenient=True, max_head_size=30)
    assert error.error_status_hint == 431


def test_response_obs_fold() -> None:
    event = response(b"HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n\r\n")
    assert event.headers == [(b"x", b"a b")]


def test_empty_lines_before_status_line_skipped() -> None:
    assert response(b"\r\n\r\nHTTP/1.1 200 OK\r\n\r\n").status_code == 200
    assert response(b"\n\r\n\nHTTP/1.1 200 OK\n\n", lenient=True).status_code == 200


def test_response_content_length_collapsed() -> None:
    event = response(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")
    assert event.headers == [(b"content-length", b"3")]


def test_response_invalid_content_length_rejected() -> None:
    error = response_error(b"HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\n")
    assert error.msg == "invalid Content-Length b'3x'"


def test_response_with_transfer_encoding_and_content_length_keeps_both() -> None:
    event = response(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 9\r\n\r\n"
    )
    assert event.headers == [(b"transfer-encoding", b"gzip, chunked"), (b"content-length", b"9")]


def test_response_header_count_limit() -> None:
    error = response_error(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", max_header_count=1)
    assert error.error_status_hint == 431


def test_response_head_too_large() -> None:
    error = response_error(b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", max_head_size=10)
    assert (error.msg, error.error_status_hint) == ("response head too large (limit 10 bytes)", 431)


def test_response_field_errors_same_as_request() -> None:
    assert response_error(b"HTTP/1.1 200 OK\r\nX : y\r\n\r\n").msg.startswith(
        "whitespace before colon"
    )
