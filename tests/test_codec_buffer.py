"""The receive buffer, and linear-time reading of input that trickles in."""

from __future__ import annotations

import time

from h11sm._codec import (
    ChunkedReader,
    ContentLengthReader,
    ReceiveBuffer,
    read_request_head,
    read_response_head,
)
from h11sm._events import Data, EndOfMessage


def test_feed_len_bool_take_all() -> None:
    buf = ReceiveBuffer()
    assert len(buf) == 0
    assert not buf
    buf.feed(b"ab")
    buf.feed(bytearray(b"cd"))
    buf.feed(memoryview(b"ef"))
    assert len(buf) == 6
    assert buf
    assert repr(buf) == "<ReceiveBuffer of 6 bytes>"
    data = buf.take_all()
    assert data == b"abcdef"
    assert type(data) is bytes
    assert len(buf) == 0
    assert buf.take_all() == b""


def test_take_all_after_a_partial_head() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"\r\nGET / HT")
    assert read_request_head(buf) is None
    assert buf.take_all() == b"GET / HT"
    buf.feed(b"GET / HTTP/1.0\r\n\r\n")
    assert read_request_head(buf) is not None


def test_head_scan_resumes_where_it_stopped() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"GET / HTTP/1.1\r\n")
    assert read_request_head(buf) is None
    # Only the last three bytes can start a terminator that the next
    # bytes complete; everything before them is never scanned again.
    assert buf.scan_pos == len(buf) - 3
    buf.feed(b"Host: a\r\n")
    assert read_request_head(buf) is None
    assert buf.scan_pos == len(buf) - 3


def test_lenient_head_scan_resumes_where_it_stopped() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"HTTP/1.1 200 OK\nX: y\n")
    assert read_response_head(buf, lenient=True) is None
    assert buf.scan_pos == len(buf) - 3


def test_resume_position_belongs_to_one_kind_of_search() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"0123456789abc")
    head_search, line_search = object(), object()
    buf.remember_scan(head_search, 10)
    assert buf.resume_from(head_search) == 10
    assert buf.resume_from(line_search) == 0
    buf.remember_scan(head_search, -3)  # fewer bytes than a terminator
    assert buf.resume_from(head_search) == 0
    buf.remember_scan(head_search, 10)
    assert buf.take(2) == b"01"  # consuming invalidates the position
    assert buf.resume_from(head_search) == 0
    buf.remember_scan(head_search, 5)
    buf.discard(1)
    assert buf.resume_from(head_search) == 0
    assert buf.take_all() == b"3456789abc"


def test_chunk_line_scan_resumes_where_it_stopped() -> None:
    reader = ChunkedReader(max_line_size=1 << 20)
    buf = ReceiveBuffer()
    buf.feed(b"5;a=b")
    assert reader.read(buf) is None
    assert buf.scan_pos == len(buf)


def test_byte_at_a_time_64k_head_is_linear() -> None:
    head = b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X-Long: " + b"v" * (64 * 1024) + b"\r\n\r\n"
    buf = ReceiveBuffer()
    started = time.perf_counter()
    event = None
    for index in range(len(head)):
        buf.feed(head[index : index + 1])
        event = read_request_head(buf, max_head_size=1 << 20)
    elapsed = time.perf_counter() - started
    assert event is not None
    # Linear work takes well under a second; rescanning from the start on
    # every byte would take minutes.
    assert elapsed < 10


def test_byte_at_a_time_64k_trailer_section_is_linear() -> None:
    body = b"0\r\n" + b"X: y\r\n" * 10_000 + b"\r\n"
    reader = ChunkedReader(max_trailer_size=1 << 20, max_header_count=20_000)
    buf = ReceiveBuffer()
    started = time.perf_counter()
    event = None
    for index in range(len(body)):
        buf.feed(body[index : index + 1])
        event = reader.read(buf) or event
    assert time.perf_counter() - started < 10
    assert type(event) is EndOfMessage
    assert len(event.headers) == 10_000


def test_many_small_messages_consumed_from_the_front() -> None:
    message = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    buf = ReceiveBuffer()
    buf.feed(message * 20_000)
    started = time.perf_counter()
    count = 0
    while read_request_head(buf) is not None:
        count += 1
    assert count == 20_000
    assert time.perf_counter() - started < 10


def test_body_slices_small_and_large() -> None:
    for size in (1000, 100_000):
        buf = ReceiveBuffer()
        buf.feed(b"a" * size + b"b" * 10)
        event = ContentLengthReader(size).read(buf)
        assert event == Data(data=b"a" * size)
        assert type(event) is Data
        assert type(event.data) is bytes
        assert buf.take_all() == b"b" * 10
