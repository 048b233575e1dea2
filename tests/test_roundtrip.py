"""Property tests: what one Connection sends, another receives unchanged,
however the bytes are split on the way."""

from __future__ import annotations

from helpers import normalize_data
from hypothesis import given, settings
from hypothesis import strategies as st

from h11sm import CLIENT, DONE, SERVER, Connection, Data, EndOfMessage, Request, Response
from h11sm._events import Event

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
VCHARS = "".join(chr(c) for c in range(0x21, 0x7F))

header_names = st.text(TCHARS, min_size=1, max_size=12).filter(
    lambda n: n not in {"host", "content-length", "transfer-encoding", "connection", "upgrade", "expect"}
)
header_values = st.builds(
    lambda first, middle, last: first + middle + last if middle or last else first,
    st.text(VCHARS, min_size=1, max_size=1),
    st.text(VCHARS + " \t", max_size=20),
    st.text(VCHARS, max_size=1),
)
extra_headers = st.lists(st.tuples(header_names, header_values), max_size=6)
bodies = st.lists(st.binary(min_size=0, max_size=64), max_size=5)
framings = st.sampled_from(["content-length", "chunked"])


def framed(headers: list[tuple[str, str]], framing: str, chunks: list[bytes]) -> list[tuple[str, str]]:
    if framing == "chunked":
        return [*headers, ("transfer-encoding", "chunked")]
    return [*headers, ("content-length", str(sum(map(len, chunks))))]


def split(data: bytes, sizes: list[int]) -> list[bytes]:
    pieces, start = [], 0
    for size in sizes:
        if start >= len(data):
            break
        pieces.append(data[start : start + size])
        start += size
    if start < len(data):
        pieces.append(data[start:])
    return pieces


def feed(conn: Connection, pieces: list[bytes]) -> list[Event]:
    events: list[Event] = []
    for piece in pieces:
        events += conn.receive_data(piece)
    return events


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    target=st.text(VCHARS, min_size=0, max_size=20).map(lambda t: "/" + t),
    headers=extra_headers,
    framing=framings,
    chunks=bodies,
    trailers=extra_headers,
    sizes=st.one_of(st.just([1] * 4000), st.lists(st.integers(1, 50), max_size=100)),
)
def test_request_round_trip(
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    framing: str,
    chunks: list[bytes],
    trailers: list[tuple[str, str]],
    sizes: list[int],
) -> None:
    client, server = Connection(CLIENT), Connection(SERVER)
    request_headers = [("host", "example.com"), *framed(headers, framing, chunks)]
    request = Request(method=method, target=target, headers=request_headers)
    end = EndOfMessage(headers=trailers if framing == "chunked" else [])
    sent: list[Event] = [request, *(Data(data=c) for c in chunks), end]
    wire = b"".join(client.send(e) or b"" for e in sent)
    received = feed(server, split(wire, sizes))
    expected = [e for e in sent if not (type(e) is Data and not e.data)]  # empty Data sends nothing
    assert normalize_data(received) == normalize_data(expected)
    whole = Connection(SERVER).receive_data(wire)
    assert normalize_data(whole) == normalize_data(received)
    assert server.states == {CLIENT: DONE, SERVER: server.states[SERVER]}


@settings(max_examples=150, deadline=None)
@given(
    status=st.integers(200, 599).filter(lambda s: s not in (204, 304)),
    reason=st.text(VCHARS + " ", max_size=15).map(str.strip),
    headers=extra_headers,
    framing=framings,
    chunks=bodies,
    sizes=st.one_of(st.just([1] * 4000), st.lists(st.integers(1, 50), max_size=100)),
)
def test_response_round_trip(
    status: int, reason: str, headers: list[tuple[str, str]], framing: str, chunks: list[bytes], sizes: list[int]
) -> None:
    client, server = Connection(CLIENT), Connection(SERVER)
    request = Request(method="GET", target="/", headers=[("host", "a")])
    server.receive_data(client.send(request))
    client.send(EndOfMessage())
    response = Response(status_code=status, headers=framed(headers, framing, chunks), reason=reason or "Whatever")
    sent: list[Event] = [response, *(Data(data=c) for c in chunks), EndOfMessage()]
    wire = b"".join(server.send(e) or b"" for e in sent)
    received = feed(client, split(wire, sizes))
    expected = [e for e in sent if not (type(e) is Data and not e.data)]
    assert normalize_data(received) == normalize_data(expected)
    assert client.states == {CLIENT: DONE, SERVER: DONE}
