"""Tests for h11sm._headers: the Headers sequence, the checks on headers given
by users, and the comma-list helpers."""

from __future__ import annotations

import array
import copy
import operator
import pickle
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from h11sm._errors import ProtocolError
from h11sm._headers import (
    EMPTY_HEADERS,
    Headers,
    get_comma_header,
    has_token,
    normalize_and_validate,
    set_comma_header,
    to_bytes,
)

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
VCHAR_BYTES = bytes(range(0x21, 0x7F)) + bytes(range(0x80, 0x100))
SPECIAL_NAMES = {"content-length", "transfer-encoding"}


def protocol_error(match: str) -> Any:
    return pytest.raises(ProtocolError, match=match)


# -- to_bytes ------------------------------------------------------------------------------


class BytesSubclass(bytes):
    pass


@pytest.mark.parametrize(
    "value",
    [
        b"abc",
        BytesSubclass(b"abc"),
        bytearray(b"abc"),
        memoryview(b"xabcx")[1:4],
        array.array("B", b"abc"),
        "abc",
    ],
)
def test_to_bytes_accepts_bytes_like_and_ascii_str(value: object) -> None:
    result = to_bytes(value, "thing")
    assert result == b"abc"
    assert type(result) is bytes


def test_to_bytes_returns_bytes_unchanged() -> None:
    value = b"abc"
    assert to_bytes(value, "thing") is value


def test_to_bytes_rejects_non_ascii_str_with_protocol_error() -> None:
    with protocol_error("thing must contain only ASCII characters, got 'caf\u00e9'") as info:
        to_bytes("caf\u00e9", "thing")
    assert info.value.error_status_hint == 400


@pytest.mark.parametrize("value", [5, None, 1.5, ["a"], object()])
def test_to_bytes_rejects_other_types(value: object) -> None:
    with pytest.raises(TypeError, match="thing must be bytes, a bytes-like object or an ASCII str"):
        to_bytes(value, "thing")


# -- the Headers type ----------------------------------------------------------------------

PAIRS = [(b"host", b"example.com"), (b"accept", b"*/*"), (b"x-a", b"1")]


def test_headers_is_a_read_only_sequence() -> None:
    headers = Headers._from_wire(PAIRS)
    assert len(headers) == 3
    assert headers[0] == (b"host", b"example.com")
    assert headers[-1] == (b"x-a", b"1")
    assert list(headers) == PAIRS
    assert list(reversed(headers)) == PAIRS[::-1]
    assert (b"accept", b"*/*") in headers
    assert (b"accept", b"text/html") not in headers
    assert headers.index((b"accept", b"*/*")) == 1
    assert headers.index((b"x-a", b"1"), 1) == 2
    assert headers.index((b"x-a", b"1"), 1, 3) == 2
    with pytest.raises(ValueError):
        headers.index((b"x-a", b"1"), 0, 2)
    assert headers.count((b"host", b"example.com")) == 1
    assert headers.count((b"nope", b"")) == 0
    with pytest.raises(IndexError):
        headers[3]
    with pytest.raises(TypeError):
        headers[0] = (b"a", b"b")  # type: ignore[index]
    with pytest.raises(AttributeError):
        headers.append((b"a", b"b"))  # type: ignore[attr-defined]


def test_headers_objects_take_no_new_attributes() -> None:
    headers = Headers._from_wire(PAIRS)
    with pytest.raises(AttributeError):
        headers.other = 1  # type: ignore[attr-defined]


def test_headers_slices_are_headers() -> None:
    headers = Headers._from_wire(PAIRS)
    tail = headers[1:]
    assert type(tail) is Headers
    assert tail == PAIRS[1:]


def test_headers_from_wire_does_not_check_or_copy_a_tuple() -> None:
    fields = ((b"Not Valid", b" \x00 "),)
    headers = Headers._from_wire(fields)
    assert headers._fields is fields
    assert list(headers) == [(b"Not Valid", b" \x00 ")]


def test_headers_repr_is_a_list_repr() -> None:
    assert repr(Headers._from_wire(PAIRS)) == repr(PAIRS)
    assert repr(Headers._from_wire([(b"host", b"example.com")])) == "[(b'host', b'example.com')]"
    assert repr(EMPTY_HEADERS) == "[]"


def test_headers_equality() -> None:
    headers = Headers._from_wire(PAIRS)
    assert headers == Headers._from_wire(list(PAIRS))
    assert headers == PAIRS
    assert operator.eq(PAIRS, headers)  # list.__eq__ defers to Headers
    assert headers == tuple(PAIRS)
    assert tuple(PAIRS) == headers
    assert operator.ne(headers, PAIRS) is False

    class PairList(list[tuple[bytes, bytes]]):
        pass

    assert headers == PairList(PAIRS)
    assert headers != PAIRS[:2]
    assert headers != PAIRS[::-1]
    assert headers != Headers._from_wire(PAIRS[:2])
    assert headers != [(b"Host", b"example.com"), *PAIRS[1:]]
    assert headers != "not headers"
    assert headers != {b"host": b"example.com"}
    assert EMPTY_HEADERS == []
    assert EMPTY_HEADERS == ()


def test_headers_are_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(Headers._from_wire(PAIRS))


def test_headers_pickle_and_copy() -> None:
    headers = Headers._from_wire(PAIRS)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(headers, protocol))
        assert type(restored) is Headers
        assert restored == headers
    assert copy.copy(headers) == headers
    assert copy.deepcopy(headers) == headers


def test_headers_constructor_normalises() -> None:
    headers = Headers([("Host", " a ")])
    assert headers == [(b"host", b"a")]
    assert Headers() == []
    with protocol_error("Illegal header name b'a b'"):
        Headers([("a b", "c")])


# -- normalize_and_validate: conversions ---------------------------------------------------


def test_normalize_lowercases_names_and_strips_values() -> None:
    original = [("HOST", bytearray(b" example.com ")), (b"X-Thing", "\t a \t b \t")]
    headers = normalize_and_validate(original)
    assert type(headers) is Headers
    assert headers == [(b"host", b"example.com"), (b"x-thing", b"a \t b")]
    assert all(type(name) is bytes and type(value) is bytes for name, value in headers)
    # The input is left alone.
    assert original == [("HOST", bytearray(b" example.com ")), (b"X-Thing", "\t a \t b \t")]


def test_normalize_accepts_every_bytes_like_type() -> None:
    headers = normalize_and_validate(
        [
            (memoryview(b"A"), memoryview(b"1")),
            (bytearray(b"B"), array.array("B", b"2")),
            (BytesSubclass(b"C"), BytesSubclass(b"3")),
        ]
    )
    assert headers == [(b"a", b"1"), (b"b", b"2"), (b"c", b"3")]
    assert all(type(name) is bytes and type(value) is bytes for name, value in headers)


def test_normalize_accepts_any_iterable_of_pairs() -> None:
    def generate() -> Iterator[tuple[str, str]]:
        yield ("A", "1")
        yield ("B", "2")

    assert normalize_and_validate(generate()) == [(b"a", b"1"), (b"b", b"2")]
    assert normalize_and_validate((("A", "1"),)) == [(b"a", b"1")]
    assert normalize_and_validate([["A", "1"]]) == [(b"a", b"1")]  # type: ignore[list-item]
    assert normalize_and_validate(iter([])) is EMPTY_HEADERS


def test_normalize_returns_headers_objects_unchanged() -> None:
    headers = Headers._from_wire(PAIRS)
    assert normalize_and_validate(headers) is headers


def test_normalize_returns_the_shared_empty_headers() -> None:
    assert normalize_and_validate([]) is EMPTY_HEADERS
    assert normalize_and_validate(()) is EMPTY_HEADERS


def test_normalize_keeps_order_and_repeats() -> None:
    pairs = [("b", "1"), ("a", "2"), ("b", "3")]
    assert normalize_and_validate(pairs) == [(b"b", b"1"), (b"a", b"2"), (b"b", b"3")]


def test_normalize_allows_empty_values_and_obs_text() -> None:
    assert normalize_and_validate([("a", ""), ("b", "   "), ("c", b"\xe9t\xe9")]) == [
        (b"a", b""),
        (b"b", b""),
        (b"c", b"\xe9t\xe9"),
    ]


# -- normalize_and_validate: what is rejected ----------------------------------------------


@pytest.mark.parametrize(
    "headers",
    ["host: a", b"host: a", bytearray(b"ab"), memoryview(b"ab"), {"host": "a"}, {"te": "x"}],
)
def test_normalize_rejects_strings_and_mappings_as_the_list(headers: Any) -> None:
    with pytest.raises(TypeError, match=r"headers must be an iterable of \(name, value\) pairs"):
        normalize_and_validate(headers)


def test_normalize_mapping_error_suggests_items() -> None:
    with pytest.raises(
        TypeError, match=r"not dict \(pass list\(mapping.items\(\)\) for a mapping\)"
    ):
        normalize_and_validate({"host": "a"})  # type: ignore[dict-item]


def test_normalize_rejects_non_iterables() -> None:
    with pytest.raises(TypeError, match=r"pairs, not int$"):
        normalize_and_validate(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "item", ["ab", b"ab", bytearray(b"ab"), memoryview(b"ab"), ("a",), ("a", "b", "c"), 5, None]
)
def test_normalize_rejects_items_that_are_not_pairs(item: Any) -> None:
    with pytest.raises(TypeError, match=r"each header must be a \(name, value\) pair, not "):
        normalize_and_validate([item])


def test_normalize_rejects_bad_name_and_value_types() -> None:
    with pytest.raises(TypeError, match="header name must be bytes"):
        normalize_and_validate([(5, "a")])
    with pytest.raises(TypeError, match="value of header b'x' must be bytes"):
        normalize_and_validate([("x", 5)])
    with pytest.raises(TypeError, match="value of header b'x' must be bytes"):
        normalize_and_validate([("x", None)])


def test_normalize_rejects_non_ascii_str() -> None:
    with protocol_error("header name must contain only ASCII characters"):
        normalize_and_validate([("caf\u00e9", "a")])
    with protocol_error("value of header b'x' must contain only ASCII characters"):
        normalize_and_validate([("X", "caf\u00e9")])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x y", r"^Illegal header name b'x y'$"),
        ("", r"^Illegal header name b''$"),
        ("a:b", r"^Illegal header name b'a:b'$"),
        ("a\x00", r"^Illegal header name b'a\\x00'$"),
        ("host\u0000", r"^Illegal header name"),
        (b"\xe9", r"^Illegal header name b'\\xe9'$"),
        ("(comment)", r"^Illegal header name b'\(comment\)'$"),
    ],
)
def test_normalize_rejects_names_that_are_not_tokens(name: str | bytes, message: str) -> None:
    with protocol_error(message) as info:
        normalize_and_validate([(name, "a")])
    assert info.value.error_status_hint == 400


@pytest.mark.parametrize("name", ["Host ", " Host", "Host\t", "\tHost", "Host\r\n", " "])
def test_normalize_rejects_whitespace_around_names(name: str) -> None:
    with protocol_error("leading or trailing whitespace"):
        normalize_and_validate([(name, "a")])


def test_name_errors_quote_long_names_shortened() -> None:
    with protocol_error(r"^Illegal header name b'x{59} '\.\.\.: leading or trailing whitespace$"):
        normalize_and_validate([("x" * 59 + " " + "y" * 100 + " ", "a")])


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "a\rb", "a\nb", "a\r\nb", "a\x7fb", "\x01", "a\x0bb", "a\x1fb", "a\r\n", "\x00"],
)
def test_normalize_rejects_control_characters_in_values(value: str) -> None:
    with protocol_error(r"^Illegal header value .* for b'x-test'$"):
        normalize_and_validate([("X-Test", value)])


def test_normalize_allows_inner_whitespace_in_values() -> None:
    assert normalize_and_validate([("a", "b \t c")]) == [(b"a", b"b \t c")]


def test_value_errors_quote_long_values_shortened() -> None:
    with protocol_error(r"^Illegal header value b'a{60}'\.\.\. for b'x'$"):
        normalize_and_validate([("x", "a" * 100 + "\x00")])


# -- Content-Length -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "5", "00", "1234567890123456789", " 5 "])
def test_content_length_valid(value: str) -> None:
    assert normalize_and_validate([("Content-Length", value)]) == [
        (b"content-length", value.strip().encode())
    ]


@pytest.mark.parametrize(
    "value",
    ["hello", "", "-5", "+5", "5 5", "1_000", "0x10", "5.0", "12345678901234567890", "\u0665"],
)
def test_content_length_invalid(value: str) -> None:
    with pytest.raises(ProtocolError, match=r"for b'content-length'|ASCII") as info:
        normalize_and_validate([("Content-Length", value)])
    assert info.value.error_status_hint == 400


def test_content_length_non_ascii_digits_as_bytes_are_invalid() -> None:
    # U+0665 ARABIC-INDIC DIGIT FIVE is a digit to str.isdigit().
    with protocol_error(r"^Illegal header value b'\\xd9\\xa5' for b'content-length'$"):
        normalize_and_validate([("Content-Length", "\u0665".encode())])


def test_content_length_identical_list_collapses() -> None:
    assert normalize_and_validate([("Content-Length", "5, 5,5")]) == [(b"content-length", b"5")]


@pytest.mark.parametrize("value", ["5, 6", "5,", ",5", "5,,5", "5, x"])
def test_content_length_bad_lists(value: str) -> None:
    with protocol_error("b'content-length'"):
        normalize_and_validate([("Content-Length", value)])


def test_content_length_conflicting_list_message() -> None:
    with protocol_error(r"^Conflicting values in b'content-length' header: b'5, 6'$"):
        normalize_and_validate([("Content-Length", "5, 6")])


def test_content_length_too_long_element_in_list() -> None:
    with protocol_error("Illegal header value"):
        normalize_and_validate([("Content-Length", "1, " + "1" * 20)])


def test_repeated_identical_content_length_becomes_one_field_in_first_place() -> None:
    headers = normalize_and_validate(
        [("Content-Length", "5"), ("X", "1"), ("content-length", "5"), ("CONTENT-LENGTH", "5, 5")]
    )
    assert headers == [(b"content-length", b"5"), (b"x", b"1")]


def test_repeated_different_content_length_is_an_error() -> None:
    with protocol_error(r"^Conflicting b'content-length' headers: b'5' and b'6'$"):
        normalize_and_validate([("Content-Length", "5"), ("Content-Length", "6")])
    with protocol_error("Conflicting"):
        normalize_and_validate([("Content-Length", "5"), ("Content-Length", "6, 6")])
    # "5" and "05" are not the same field value.
    with protocol_error("Conflicting"):
        normalize_and_validate([("Content-Length", "5"), ("Content-Length", "05")])


# -- Transfer-Encoding --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["chunked", "Chunked", "gzip, chunked", "gzip,chunked", " gzip ,\tchunked "]
)
def test_transfer_encoding_token_lists_are_accepted(value: str) -> None:
    # Syntax only: which codings we support is the framing code's business.
    assert normalize_and_validate([("Transfer-Encoding", value)]) == [
        (b"transfer-encoding", value.strip().encode())
    ]


@pytest.mark.parametrize("value", ["chunked;x=1", "chunked gzip", '"chunked"', "gzip, @"])
def test_transfer_encoding_must_be_a_token_list(value: str) -> None:
    with protocol_error(r"^Illegal header value .* for b'transfer-encoding'$"):
        normalize_and_validate([("Transfer-Encoding", value)])


def test_transfer_encoding_must_name_a_coding() -> None:
    with protocol_error(r"^Empty b'transfer-encoding' header$"):
        normalize_and_validate([("Transfer-Encoding", "")])


@pytest.mark.parametrize("value", [",", " , ,", "chunked,", "chunked , ", ", chunked", "gzip,,chunked"])
def test_transfer_encoding_empty_list_elements_refused(value: str) -> None:
    # A server refuses them on receipt (issue 14), so we never build them.
    with protocol_error(
        rf"^Empty list element in b'transfer-encoding' header: {re.escape(repr(value.strip(' ').encode()))}$"
    ):
        normalize_and_validate([("Transfer-Encoding", value)])


def test_transfer_encoding_repeated_fields_are_kept() -> None:
    headers = normalize_and_validate(
        [("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    )
    assert headers == [(b"transfer-encoding", b"gzip"), (b"transfer-encoding", b"chunked")]


# -- comma-list helpers -------------------------------------------------------------------

LIST_HEADERS = Headers._from_wire(
    [
        (b"connection", b"Keep-Alive, , Upgrade"),
        (b"host", b"a, b"),
        (b"connection", b"\tCLOSE\t"),
        (b"expect", b"100-continue"),
        (b"connection", b""),
    ]
)


def test_get_comma_header() -> None:
    assert get_comma_header(LIST_HEADERS, b"connection") == [b"keep-alive", b"upgrade", b"close"]
    assert get_comma_header(LIST_HEADERS, b"expect") == [b"100-continue"]
    assert get_comma_header(LIST_HEADERS, b"upgrade") == []
    assert get_comma_header(EMPTY_HEADERS, b"connection") == []
    # Plain lists of pairs work too.
    assert get_comma_header([(b"te", b"a,b")], b"te") == [b"a", b"b"]


def test_has_token() -> None:
    assert has_token(LIST_HEADERS, b"connection", b"close")
    assert has_token(LIST_HEADERS, b"connection", b"upgrade")
    assert has_token(LIST_HEADERS, b"connection", b"keep-alive")
    assert not has_token(LIST_HEADERS, b"connection", b"te")
    assert not has_token(LIST_HEADERS, b"connection", b"")
    assert not has_token(LIST_HEADERS, b"upgrade", b"close")
    assert not has_token(LIST_HEADERS, b"host", b"a, b")


def test_set_comma_header_replaces_all_fields_with_one_at_the_end() -> None:
    result = set_comma_header(LIST_HEADERS, b"connection", [b"upgrade", b"close"])
    assert type(result) is Headers
    assert result == [
        (b"host", b"a, b"),
        (b"expect", b"100-continue"),
        (b"connection", b"upgrade, close"),
    ]
    # The input is not changed.
    assert len(LIST_HEADERS) == 5


def test_set_comma_header_adds_a_missing_field() -> None:
    result = set_comma_header(Headers._from_wire([(b"host", b"a")]), b"connection", [b"close"])
    assert result == [(b"host", b"a"), (b"connection", b"close")]


def test_set_comma_header_with_no_values_removes_the_field() -> None:
    assert set_comma_header(LIST_HEADERS, b"connection", []) == [
        (b"host", b"a, b"),
        (b"expect", b"100-continue"),
    ]


# -- properties -----------------------------------------------------------------------------

names = st.text(TCHARS, min_size=1, max_size=12).filter(lambda n: n.lower() not in SPECIAL_NAMES)
ows = st.text(" \t", max_size=3)
core_values = st.one_of(
    st.just(b""),
    st.builds(
        lambda first, middle, last: first + middle + last,
        st.binary(min_size=1, max_size=1).filter(lambda b: b[0] in VCHAR_BYTES),
        st.lists(st.sampled_from([*VCHAR_BYTES, 0x20, 0x09]), max_size=15).map(bytes),
        st.binary(min_size=1, max_size=1).filter(lambda b: b[0] in VCHAR_BYTES),
    ),
)
raw_fields = st.lists(st.tuples(names, ows, core_values, ows), max_size=8)


@given(raw_fields, st.sampled_from([bytes, bytearray, memoryview]))
def test_normalize_property(fields: list[tuple[str, str, bytes, str]], kind: type) -> None:
    given_pairs = [
        (name, kind(before.encode() + value + after.encode()))
        for name, before, value, after in fields
    ]
    expected = [(name.lower().encode(), value) for name, _, value, _ in fields]
    headers = normalize_and_validate(given_pairs)
    assert headers == expected
    assert headers == Headers._from_wire(expected)
    assert repr(headers) == repr(expected)
    assert list(headers) == expected
    assert normalize_and_validate(headers) is headers
    # Normalising again changes nothing.
    assert normalize_and_validate(list(headers)) == headers


@given(st.lists(st.tuples(names, st.lists(st.text(TCHARS, min_size=1, max_size=5), max_size=4))))
def test_comma_helpers_property(fields: list[tuple[str, list[str]]]) -> None:
    headers = normalize_and_validate([(name, ", ".join(items)) for name, items in fields])
    for name, _ in fields:
        key = name.lower().encode()
        expected = [
            item.lower().encode()
            for other, items in fields
            if other.lower() == name.lower()
            for item in items
        ]
        assert get_comma_header(headers, key) == expected
        for item in expected:
            assert has_token(headers, key, item)
        replaced = set_comma_header(headers, key, [b"a", b"b"])
        assert get_comma_header(replaced, key) == [b"a", b"b"]
        assert [field for field in replaced if field[0] != key] == [
            field for field in headers if field[0] != key
        ]
