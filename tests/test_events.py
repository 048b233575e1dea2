"""Tests for h11sm._events: construction, validation, equality, repr,
immutability and the unchecked _from_wire constructors."""

from __future__ import annotations

import copy
import enum
import operator
import pickle
from http import HTTPStatus
from typing import Any

import pytest
from helpers import COMPILED, compiled_type_error
from hypothesis import given
from hypothesis import strategies as st

from h11sm._errors import ProtocolError
from h11sm._events import (
    ConnectionClosed,
    Data,
    EndOfMessage,
    Event,
    InformationalResponse,
    Paused,
    Request,
    Response,
    _StatusResponse,
)
from h11sm._headers import EMPTY_HEADERS, Headers
from h11sm._sentinels import (
    CLIENT,
    DONE,
    IDLE,
    MIGHT_SWITCH_PROTOCOL,
    SEND_BODY,
    SWITCHED_PROTOCOL,
)

HOST = [("Host", "example.com")]
WIRE_HOST = Headers._from_wire([(b"host", b"example.com")])


def protocol_error(match: str) -> Any:
    return pytest.raises(ProtocolError, match=match)


def some_events() -> list[Event]:
    return [
        Request(method="GET", target="/", headers=HOST),
        InformationalResponse(status_code=100),
        Response(status_code=200, headers=[("Content-Length", "3")], reason="OK"),
        Data(data=b"xyz"),
        EndOfMessage(headers=[("X-Trailer", "1")]),
        ConnectionClosed(),
        Paused(reason=DONE),
    ]


# -- reprs, straight from the spec ---------------------------------------------------------


def test_reprs() -> None:
    assert repr(Request(method="GET", target="/", headers=HOST)) == (
        "Request(method=b'GET', target=b'/', headers=[(b'host', b'example.com')], "
        "http_version=b'1.1')"
    )
    assert repr(Request(method="GET", target="/", headers=[], http_version="1.0")) == (
        "Request(method=b'GET', target=b'/', headers=[], http_version=b'1.0')"
    )
    assert repr(Data(data=b"xyz")) == "Data(data=b'xyz')"
    assert repr(EndOfMessage()) == "EndOfMessage(headers=[])"
    assert repr(ConnectionClosed()) == "ConnectionClosed()"
    assert repr(Paused(reason=DONE)) == "Paused(reason=DONE)"
    assert repr(Response(status_code=200, headers=[("Server", "x")], reason=b"OK")) == (
        "Response(status_code=200, headers=[(b'server', b'x')], http_version=b'1.1', reason=b'OK')"
    )
    assert repr(InformationalResponse(status_code=100, headers=[])) == (
        "InformationalResponse(status_code=100, headers=[], http_version=b'1.1', reason=b'')"
    )


# -- things every event does ---------------------------------------------------------------


@pytest.mark.parametrize("event", some_events(), ids=lambda e: type(e).__name__)
def test_events_are_immutable(event: Event) -> None:
    for name in [*type(event)._fields, "other"]:
        with pytest.raises(AttributeError, match="events are immutable"):
            setattr(event, name, b"x")
        with pytest.raises(AttributeError, match="events are immutable"):
            delattr(event, name)
    assert not hasattr(event, "__dict__")  # nowhere to put another attribute either


@pytest.mark.parametrize("event", some_events(), ids=lambda e: type(e).__name__)
def test_events_are_unhashable(event: Event) -> None:
    with pytest.raises(TypeError):
        hash(event)


@pytest.mark.parametrize("event", some_events(), ids=lambda e: type(e).__name__)
def test_events_pickle_and_copy(event: Event) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(event, protocol))
        assert type(restored) is type(event)
        assert restored == event
        assert repr(restored) == repr(event)
    assert copy.copy(event) == event
    assert copy.deepcopy(event) == event
    with pytest.raises(AttributeError):
        copy.deepcopy(event).other = 1  # type: ignore[attr-defined]


def test_equality_by_type_and_fields() -> None:
    events = some_events()
    for index, event in enumerate(events):
        assert event == some_events()[index]
        assert operator.ne(event, some_events()[index]) is False
        for other in events[index + 1 :]:
            assert event != other
        assert event != object()
        assert event != repr(event)
    assert ConnectionClosed() == ConnectionClosed()
    assert Request(method="GET", target="/", headers=HOST) != Request(
        method="GET", target="/a", headers=HOST
    )
    assert InformationalResponse(status_code=200 - 1) != Response(status_code=200)
    # Same field values, different classes.
    assert InformationalResponse._from_wire(150, EMPTY_HEADERS, b"1.1", b"") != (
        Response._from_wire(150, EMPTY_HEADERS, b"1.1", b"")
    )
    assert Paused(reason=DONE) != Paused(reason=SWITCHED_PROTOCOL)
    assert EndOfMessage() != EndOfMessage(headers=[("a", "b")])


def test_constructors_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Request("GET", "/", HOST)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        InformationalResponse(100)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Response(200)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Data(b"x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        EndOfMessage([])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ConnectionClosed(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Paused(DONE)  # type: ignore[call-arg]


def test_missing_and_unknown_arguments() -> None:
    with pytest.raises(TypeError):
        Request(method="GET", target="/")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Response(headers=[])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Data()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        EndOfMessage(trailers=[])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ConnectionClosed(reason=DONE)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "cls", [Request, InformationalResponse, Response, Data, EndOfMessage, ConnectionClosed, Paused]
)
def test_concrete_events_are_final(cls: type[Event]) -> None:
    with pytest.raises(TypeError, match=f"{cls.__name__} is a final class and can't be subclassed"):
        type("Sub", (cls,), {})


def test_event_base_is_abstract_and_sealed() -> None:
    with pytest.raises(TypeError, match="Event is an abstract base class"):
        Event()
    with pytest.raises(TypeError, match="h11sm events can't be subclassed"):

        class MyEvent(Event):
            pass
    # The private base the two responses share is sealed as well.
    with pytest.raises(TypeError, match="h11sm events can't be subclassed"):

        class MyResponse(_StatusResponse):
            pass


def test_events_are_events() -> None:
    for event in some_events():
        assert isinstance(event, Event)


# -- Request --------------------------------------------------------------------------------


def test_request_fields_are_normalised_to_bytes() -> None:
    original = [("HOST", bytearray(b" example.com "))]
    req = Request(
        method=bytearray(b"POST"),
        target=memoryview(b"/a?b=c"),
        headers=original,
        http_version="1.1",
    )
    assert (req.method, req.target, req.http_version) == (b"POST", b"/a?b=c", b"1.1")
    assert all(type(value) is bytes for value in (req.method, req.target, req.http_version))
    assert type(req.headers) is Headers
    assert req.headers == [(b"host", b"example.com")]
    assert original == [("HOST", bytearray(b" example.com "))]


def test_request_defaults_to_http_1_1() -> None:
    assert Request(method="GET", target="/", headers=HOST).http_version == b"1.1"


def test_request_keeps_method_case() -> None:
    assert Request(method="get", target="/", headers=HOST).method == b"get"


@pytest.mark.parametrize("method", ["", "G T", "GET\r\n", "GE(T)", "G\x00", b"G\xe9T"])
def test_request_method_must_be_a_token(method: str | bytes) -> None:
    with protocol_error("^Illegal method ") as info:
        Request(method=method, target="/", headers=HOST)
    assert info.value.error_status_hint == 400


@pytest.mark.parametrize(
    "target", ["*", "/", "/a%20b?c=d#e", "http://example.com:80/x", "example.com:443", "~!$&'()"]
)
def test_request_targets_of_visible_ascii(target: str) -> None:
    assert Request(method="GET", target=target, headers=HOST).target == target.encode()


@pytest.mark.parametrize("target", ["", "/a b", "/a\tb", "/\r\n", "/\x00", "/\x7f", b"/\xe9"])
def test_request_target_must_be_visible_ascii(target: str | bytes) -> None:
    with protocol_error("^Illegal target "):
        Request(method="GET", target=target, headers=HOST)


def test_request_target_errors_are_shortened() -> None:
    with protocol_error(r"^Illegal target b'/a{59}'\.\.\.$"):
        Request(method="GET", target="/" + "a" * 100 + " ", headers=HOST)


@pytest.mark.parametrize("version", ["1.1", "1.0", "0.9", "2.0", b"1.1", bytearray(b"1.1")])
def test_http_version_accepts_digit_dot_digit(version: str | bytes) -> None:
    req = Request(method="GET", target="/", headers=HOST, http_version=version)
    expected = version.encode() if isinstance(version, str) else bytes(version)
    assert req.http_version == expected
    assert type(req.http_version) is bytes


@pytest.mark.parametrize("version", ["", "1", "11", "1.10", "HTTP/1.1", "1.1 ", "a.b", "1,1"])
def test_http_version_must_be_digit_dot_digit(version: str) -> None:
    with protocol_error("^Illegal http_version "):
        Request(method="GET", target="/", headers=HOST, http_version=version)
    with protocol_error("^Illegal http_version "):
        Response(status_code=200, http_version=version)
    with protocol_error("^Illegal http_version "):
        InformationalResponse(status_code=100, http_version=version)


def test_http_1_1_request_needs_a_host() -> None:
    with protocol_error("^Missing mandatory Host: header$") as info:
        Request(method="GET", target="/", headers=[])
    assert info.value.error_status_hint == 400
    with protocol_error("^Missing mandatory Host: header$"):
        Request(method="GET", target="/", headers=[("X-Host", "a")])
    # Later 1.x versions too.
    with protocol_error("^Missing mandatory Host: header$"):
        Request(method="GET", target="/", headers=[], http_version="1.2")


def test_http_1_0_request_needs_no_host() -> None:
    req = Request(method="GET", target="/", headers=[], http_version="1.0")
    assert req.headers == []
    assert req.http_version < b"1.1"


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_request_with_two_hosts_is_an_error(version: str) -> None:
    with protocol_error("^Found multiple Host: headers$"):
        Request(method="GET", target="/", headers=[*HOST, ("HOST", "other")], http_version=version)


def test_request_headers_are_validated() -> None:
    with protocol_error("Illegal header name b'Host '"):
        Request(method="GET", target="/", headers=[("Host ", "a")])
    with protocol_error("Illegal header value b'hello' for b'content-length'"):
        Request(method="GET", target="/", headers=[("Host", "a"), ("Content-Length", "hello")])


def test_request_accepts_headers_objects_as_they_are() -> None:
    req = Request(method="GET", target="/", headers=WIRE_HOST)
    assert req.headers is WIRE_HOST


@pytest.mark.parametrize("field", ["method", "target", "http_version"])
def test_request_field_types(field: str) -> None:
    arguments: dict[str, Any] = {"method": "GET", "target": "/", "headers": HOST}
    arguments[field] = 5
    with pytest.raises(TypeError, match=f"^{field} must be bytes"):
        Request(**arguments)
    arguments[field] = "\u00e9"
    with protocol_error(f"^{field} must contain only ASCII characters"):
        Request(**arguments)


# -- InformationalResponse and Response ----------------------------------------------------

# A Response takes any three-digit final status, as a client does on the
# wire (RFC 9110 §15), so a proxy can forward what it received.
RESPONSE_RANGES = [(InformationalResponse, 100, 200), (Response, 200, 1000)]


@pytest.mark.parametrize(("cls", "low", "high"), RESPONSE_RANGES)
def test_status_code_ranges(cls: type[Response], low: int, high: int) -> None:
    assert cls(status_code=low).status_code == low
    assert cls(status_code=high - 1).status_code == high - 1
    for bad in (low - 1, high, 0, -200, 1000, 10_000):
        with protocol_error(
            rf"^{cls.__name__}.status_code must be in \[{low}, {high}\), not {bad}$"
        ):
            cls(status_code=bad)


@pytest.mark.parametrize(("cls", "low", "high"), RESPONSE_RANGES)
def test_status_code_must_be_an_int(cls: type[Response], low: int, high: int) -> None:
    for bad in (True, str(low), float(low), None, b"200"):
        if not COMPILED:
            with pytest.raises(TypeError, match=rf"^{cls.__name__}.status_code must be an int, not "):
                cls(status_code=bad)  # type: ignore[arg-type]
        elif bad is True:
            # Compiled, a bool passes the annotation's check as the int 1.
            out_of_range = rf"^{cls.__name__}\.status_code must be in \[{low}, {high}\), not 1$"
            with pytest.raises(ProtocolError, match=out_of_range):
                cls(status_code=bad)
        else:
            with pytest.raises(TypeError, match=compiled_type_error("int", bad)):
                cls(status_code=bad)  # type: ignore[arg-type]


def test_status_code_int_enums_become_plain_ints() -> None:
    response = Response(status_code=HTTPStatus.NOT_FOUND)
    assert response.status_code == 404
    assert type(response.status_code) is int
    assert repr(response).startswith("Response(status_code=404,")
    info = InformationalResponse(status_code=HTTPStatus.SWITCHING_PROTOCOLS)
    assert type(info.status_code) is int

    class Weird(enum.IntEnum):
        ODD = 700
        NOPE = 1700

    assert type(Response(status_code=Weird.ODD).status_code) is int
    with protocol_error("not 1700"):
        Response(status_code=Weird.NOPE)


@pytest.mark.parametrize("cls", [InformationalResponse, Response])
def test_response_defaults(cls: type[InformationalResponse | Response]) -> None:
    status = 101 if cls is InformationalResponse else 204
    response = cls(status_code=status)
    assert response.headers == []
    assert response.http_version == b"1.1"
    assert response.reason == b""


@pytest.mark.parametrize("cls", [InformationalResponse, Response])
def test_response_fields_are_normalised(cls: type[InformationalResponse | Response]) -> None:
    status = 101 if cls is InformationalResponse else 200
    response = cls(
        status_code=status,
        headers=[("Upgrade", " websocket ")],
        http_version=bytearray(b"1.0"),
        reason=memoryview(b"Switching \t Things"),
    )
    assert response.headers == [(b"upgrade", b"websocket")]
    assert type(response.http_version) is bytes
    assert response.http_version == b"1.0"
    assert type(response.reason) is bytes
    assert response.reason == b"Switching \t Things"


@pytest.mark.parametrize(
    "reason", ["", "OK", " padded ", "\t", "caf\u00e9".encode("latin-1"), b"\x80\xff"]
)
def test_reason_phrase_allows_htab_sp_vchar_obs_text(reason: str | bytes) -> None:
    expected = reason.encode() if isinstance(reason, str) else reason
    assert Response(status_code=200, reason=reason).reason == expected
    assert InformationalResponse(status_code=100, reason=reason).reason == expected


@pytest.mark.parametrize("reason", ["O\rK", "O\nK", "OK\r\n", "\x00", "a\x7f", "\x1b[31m", "\x0b"])
def test_reason_phrase_rejects_controls(reason: str) -> None:
    with protocol_error(r"^Illegal reason .* \(control characters\)$"):
        Response(status_code=200, reason=reason)
    with protocol_error("^Illegal reason "):
        InformationalResponse(status_code=100, reason=reason)


def test_reason_phrase_types() -> None:
    with protocol_error("^reason must contain only ASCII characters"):
        Response(status_code=200, reason="caf\u00e9")
    with pytest.raises(TypeError, match=r"^reason must be bytes"):
        Response(status_code=200, reason=5)  # type: ignore[arg-type]


def test_response_headers_are_validated() -> None:
    with protocol_error("Illegal header name"):
        Response(status_code=200, headers=[("a b", "c")])
    with protocol_error("Illegal header value"):
        InformationalResponse(status_code=100, headers=[("a", "b\r\nc")])


def test_responses_need_no_host() -> None:
    assert Response(status_code=200, headers=[]).headers == []


# -- Data ----------------------------------------------------------------------------------


def test_data_keeps_the_object_it_was_given() -> None:
    payload = bytearray(b"abc")
    data = Data(data=payload)
    assert data.data is payload
    view = memoryview(b"abc")
    assert Data(data=view).data is view


def test_data_equality_across_bytes_types() -> None:
    assert Data(data=b"x") == Data(data=bytearray(b"x"))
    assert Data(data=memoryview(b"x")) == Data(data=b"x")
    assert Data(data=b"x") != Data(data=b"y")
    assert Data(data=b"") == Data(data=bytearray())


class Placeholder:
    """Stands in for a file to be sent with sendfile()."""

    def __len__(self) -> int:
        return 1234


def test_data_accepts_placeholders_with_a_length() -> None:
    placeholder = Placeholder()
    data = Data(data=placeholder)
    assert data.data is placeholder
    assert data == Data(data=placeholder)
    assert data != Data(data=Placeholder())


@pytest.mark.parametrize("payload", [5, None, object(), 1.5])
def test_data_needs_a_length(payload: Any) -> None:
    with pytest.raises(TypeError, match=r"^Data\.data must be bytes-like or have a len"):
        Data(data=payload)


def test_data_refuses_str() -> None:
    with pytest.raises(
        TypeError, match=r"^Data.data must be bytes-like, not str \(encode it first\)$"
    ):
        Data(data="text")


# -- EndOfMessage ---------------------------------------------------------------------------


def test_end_of_message_trailers_are_normalised() -> None:
    end = EndOfMessage(headers=[("X-Checksum", " abc "), (b"Expires", bytearray(b"0"))])
    assert end.headers == [(b"x-checksum", b"abc"), (b"expires", b"0")]
    assert type(end.headers) is Headers
    with protocol_error("Illegal header name"):
        EndOfMessage(headers=[(" x", "1")])


def test_end_of_message_defaults_to_no_trailers() -> None:
    assert EndOfMessage().headers == []
    assert EndOfMessage() == EndOfMessage(headers=[])
    assert EndOfMessage().headers is EMPTY_HEADERS


# -- ConnectionClosed and Paused ------------------------------------------------------------


def test_connection_closed_has_no_fields() -> None:
    assert type(ConnectionClosed())._fields == ()
    assert ConnectionClosed() == ConnectionClosed()
    assert ConnectionClosed() != EndOfMessage()


@pytest.mark.parametrize("reason", [DONE, MIGHT_SWITCH_PROTOCOL, SWITCHED_PROTOCOL])
def test_paused_reasons(reason: Any) -> None:
    paused = Paused(reason=reason)
    assert paused.reason is reason
    assert repr(paused) == f"Paused(reason={reason!r})"


@pytest.mark.parametrize("reason", [IDLE, SEND_BODY, CLIENT])
def test_paused_rejects_other_states(reason: Any) -> None:
    with protocol_error(
        "^Paused.reason must be DONE, MIGHT_SWITCH_PROTOCOL or SWITCHED_PROTOCOL, not "
        + repr(reason)
    ):
        Paused(reason=reason)


@pytest.mark.parametrize("reason", ["DONE", None, 1])
def test_paused_reason_must_be_a_sentinel(reason: Any) -> None:
    with pytest.raises(TypeError, match=r"^Paused\.reason must be a state sentinel, not "):
        Paused(reason=reason)


# -- _from_wire -----------------------------------------------------------------------------


def test_from_wire_builds_equal_immutable_events_of_the_public_class() -> None:
    built = [
        Request._from_wire(b"GET", b"/", WIRE_HOST, b"1.1"),
        InformationalResponse._from_wire(100, EMPTY_HEADERS, b"1.1", b""),
        Response._from_wire(200, Headers._from_wire([(b"content-length", b"3")]), b"1.1", b"OK"),
        Data._from_wire(b"xyz"),
        EndOfMessage._from_wire(Headers._from_wire([(b"x-trailer", b"1")])),
    ]
    for event, checked in zip(built, some_events(), strict=False):
        assert type(event) is type(checked)
        assert event == checked
        assert checked == event
        assert repr(event) == repr(checked)
        with pytest.raises(AttributeError, match="immutable"):
            setattr(event, type(event)._fields[0], None)
        with pytest.raises(AttributeError, match="immutable"):
            delattr(event, type(event)._fields[0])


def test_from_wire_checks_nothing() -> None:
    # The parser's promise, not ours: garbage in, garbage kept.
    request = Request._from_wire(b"G T", b"", EMPTY_HEADERS, b"x")
    assert (request.method, request.target, request.http_version) == (b"G T", b"", b"x")
    assert Response._from_wire(99, EMPTY_HEADERS, b"1.1", b"\r\n").status_code == 99


def test_end_of_message_from_wire_defaults_to_no_trailers() -> None:
    assert EndOfMessage._from_wire() == EndOfMessage()
    # Without trailers, received messages share one (immutable) event.
    assert EndOfMessage._from_wire(EMPTY_HEADERS) is EndOfMessage._from_wire()
    with_trailers = Headers._from_wire([(b"x-trailer", b"1")])
    assert EndOfMessage._from_wire(with_trailers).headers is with_trailers


def test_data_from_wire_keeps_the_object() -> None:
    payload = b"abc"
    assert Data._from_wire(payload).data is payload


# -- properties -----------------------------------------------------------------------------

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
VCHARS = "".join(chr(c) for c in range(0x21, 0x7F))

tokens = st.text(TCHARS, min_size=1, max_size=10)
targets = st.text(VCHARS, min_size=1, max_size=30)
versions = st.from_regex(r"[0-9]\.[0-9]", fullmatch=True)
field_values = st.text(VCHARS + " \t", max_size=20)
header_lists = st.lists(
    st.tuples(
        tokens.filter(lambda n: n.lower() not in {"host", "content-length", "transfer-encoding"}),
        field_values,
    ),
    max_size=5,
)
reasons = st.text(VCHARS + " \t", max_size=20)


def encode(pairs: list[tuple[str, str]]) -> Headers:
    return Headers._from_wire(
        [(name.lower().encode(), value.strip(" \t").encode()) for name, value in pairs]
    )


@given(tokens, targets, header_lists, versions, st.sampled_from([str, bytes, bytearray]))
def test_request_property(
    method: str, target: str, headers: list[tuple[str, str]], version: str, kind: type
) -> None:
    def convert(text: str) -> Any:
        return text if kind is str else kind(text.encode())

    all_headers = [("Host", "example.com"), *headers]
    req = Request(
        method=convert(method),
        target=convert(target),
        headers=[(convert(n), convert(v)) for n, v in all_headers],
        http_version=convert(version),
    )
    wire = Request._from_wire(
        method.encode(), target.encode(), encode(all_headers), version.encode()
    )
    assert req == wire
    assert (
        repr(req)
        == repr(wire)
        == (
            f"Request(method={method.encode()!r}, target={target.encode()!r}, "
            f"headers={list(encode(all_headers))!r}, http_version={version.encode()!r})"
        )
    )


@given(st.integers(100, 599), header_lists, versions, reasons)
def test_response_property(
    status: int, headers: list[tuple[str, str]], version: str, reason: str
) -> None:
    cls = InformationalResponse if status < 200 else Response
    response = cls(status_code=status, headers=headers, http_version=version, reason=reason)
    wire = cls._from_wire(status, encode(headers), version.encode(), reason.encode())
    assert response == wire
    assert (
        repr(response)
        == repr(wire)
        == (
            f"{cls.__name__}(status_code={status}, headers={list(encode(headers))!r}, "
            f"http_version={version.encode()!r}, reason={reason.encode()!r})"
        )
    )


@given(st.binary(max_size=50), header_lists)
def test_body_events_property(payload: bytes, trailers: list[tuple[str, str]]) -> None:
    assert Data(data=payload) == Data._from_wire(payload) == Data(data=bytearray(payload))
    assert repr(Data(data=payload)) == f"Data(data={payload!r})"
    assert EndOfMessage(headers=trailers) == EndOfMessage._from_wire(encode(trailers))
