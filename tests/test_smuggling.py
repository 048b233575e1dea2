"""The regression corpus of request-smuggling and parser-confusion techniques.

Each entry names a technique from the public literature (Linhart, Klein, Heled
and Orrin's 2005 "HTTP Request Smuggling"; James Kettle's "HTTP Desync
Attacks" and the request-smuggling pages of the PortSwigger Web Security
Academy; the RFC 9112 §11.2 security considerations; published advisories on
chunk-extension and line-terminator parsing), says in one line how it works,
and gives the bytes, written for this file, with h11sm's verdict.

A verdict is either a rejection (the exact ``error_status_hint`` and a
fragment of the message, which must name the construct), possibly after the
events of earlier complete messages (those of the message the error broke
are not shown: the call that meets the error drops them, so which of them a
caller saw depends on how the bytes arrived), or the complete list of events, shown compactly: ``"POST /"`` for a
request, an ``int`` for a response status, ``bytes`` for body data (merged),
``"end"`` for EndOfMessage (``"end X=y"`` with a trailer), ``"closed"`` for
ConnectionClosed. A server answers every request with an empty 200; a client
sends GETs. Every entry is also fed one byte at a time and in random pieces
and must get the same verdict (see ``tools/fuzz.py``'s ``check``).

For an accepted entry, the point is that h11sm reads the message the one way
RFC 9112 defines, so a peer that reads it differently is the one at fault;
for a rejected one, that h11sm refuses what two parsers could disagree on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from helpers import fuzz_tool

from h11sm import ConnectionClosed, Data, EndOfMessage, InformationalResponse, Request, Response

fuzz: Any = fuzz_tool()


@dataclass(frozen=True)
class Reject:
    """The peer gets a ProtocolError (after *events*, if any)."""

    hint: int
    message: str
    events: tuple[object, ...] = ()


@dataclass(frozen=True)
class Technique:
    name: str
    note: str  # the technique, in one line
    role: str  # "server" reads the bytes as requests, "client" as responses
    wire: bytes
    verdict: Reject | tuple[object, ...]


def summary(events: list[object]) -> tuple[object, ...]:
    out: list[object] = []
    for event in events:
        if isinstance(event, bytes):
            out.append(event)
        elif type(event) is Request:
            out.append(f"{event.method.decode()} {event.target.decode()}")
        elif type(event) is Response or type(event) is InformationalResponse:
            out.append(event.status_code)
        elif type(event) is EndOfMessage:
            trailers = " ".join(f"{n.decode()}={v.decode()}" for n, v in event.headers)
            out.append(f"end {trailers}" if trailers else "end")
        else:
            assert type(event) is ConnectionClosed, event
            out.append("closed")
    return tuple(out)


H = b"Host: a\r\n"
POST = b"POST / HTTP/1.1\r\n" + H
SMUGGLED = b"GET /admin HTTP/1.1\r\n" + H + b"\r\n"

CORPUS = [
    # -- CL.TE and TE.CL: the two framing headers together --------------------
    Technique(
        "CL.TE",
        "front end frames by Content-Length, back end by chunked: the tail is a new request",
        "server",
        POST + b"Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED",
        Reject(400, "both Transfer-Encoding and Content-Length"),
    ),
    Technique(
        "TE.CL",
        "front end frames by chunked, back end by Content-Length: the chunk body is a new request",
        "server",
        POST + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
        Reject(400, "both Transfer-Encoding and Content-Length"),
    ),
    Technique(
        "CL.CL",
        "two differing Content-Length fields: each parser picks a different one",
        "server",
        POST + b"Content-Length: 5\r\nContent-Length: 13\r\n\r\nhello" + SMUGGLED,
        Reject(400, "conflicting values"),
    ),
    Technique(
        "CL list",
        "one Content-Length holding a list of differing values",
        "server",
        POST + b"Content-Length: 5, 13\r\n\r\nhello",
        Reject(400, "conflicting values"),
    ),
    Technique(
        "CL identical list",
        "identical repeated values are one length (RFC 9110 §8.6): no ambiguity",
        "server",
        POST + b"Content-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello",
        ("POST /", b"hello", "end", "closed"),
    ),
    Technique(
        "CL leading zeros disagree",
        "'5' and '05' are the same number but not the same field value",
        "server",
        POST + b"Content-Length: 5\r\nContent-Length: 05\r\n\r\nhello",
        Reject(400, "conflicting values"),
    ),
    Technique(
        "CL plus sign",
        "a signed length some integer parsers accept and others refuse",
        "server",
        POST + b"Content-Length: +5\r\n\r\nhello",
        Reject(400, "invalid Content-Length"),
    ),
    Technique(
        "CL hex",
        "a length in hex that a lax number parser reads as a different value",
        "server",
        POST + b"Content-Length: 0x5\r\n\r\nhello",
        Reject(400, "invalid Content-Length"),
    ),
    Technique(
        "CL overflow",
        "a length past 2**64 that wraps around in fixed-size integers",
        "server",
        POST + b"Content-Length: 18446744073709551621\r\n\r\nhello",
        Reject(400, "invalid Content-Length"),
    ),
    Technique(
        "CL underscore",
        "a digit separator some language-level integer parsers allow",
        "server",
        POST + b"Content-Length: 1_3\r\n\r\nhello",
        Reject(400, "invalid Content-Length"),
    ),
    # -- TE.TE: Transfer-Encoding obfuscated so that one parser misses it -------
    Technique(
        "TE space before colon",
        "'Transfer-Encoding : chunked' is ignored by some parsers, honoured by others",
        "server",
        POST + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "whitespace before colon"),
    ),
    Technique(
        "TE tab before colon",
        "the same with HTAB",
        "server",
        POST + b"Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "whitespace before colon"),
    ),
    Technique(
        "TE leading space",
        "a first field line starting with SP, read as a fold into the request line by some",
        "server",
        b"POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\n" + H + b"\r\n0\r\n\r\n",
        Reject(400, "whitespace before the first header field line"),
    ),
    Technique(
        "TE obs-fold",
        "'Transfer-Encoding:' with 'chunked' on a folded line: dropped or joined depending on the parser",
        "server",
        POST + b"Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "obsolete line folding"),
    ),
    Technique(
        "TE folded into another field",
        "a fold that hides a second coding behind the first field line",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\tgzip\r\n\r\n0\r\n\r\n",
        Reject(400, "obsolete line folding"),
    ),
    Technique(
        "TE xchunked",
        "a coding name that contains 'chunked' for a substring match",
        "server",
        POST + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        Reject(400, "final transfer coding is b'xchunked'"),
    ),
    Technique(
        "TE quoted",
        "'\"chunked\"', unquoted by some parsers",
        "server",
        POST + b'Transfer-Encoding: "chunked"\r\n\r\n0\r\n\r\n',
        Reject(400, "not chunked"),
    ),
    Technique(
        "TE vertical tab",
        "a VT or FF after the value, stripped as whitespace by some parsers",
        "server",
        POST + b"Transfer-Encoding: chunked\x0b\r\n\r\n0\r\n\r\n",
        Reject(400, "control character in value of header field b'Transfer-Encoding'"),
    ),
    Technique(
        "TE NEL",
        "a U+0085 (NEL) after the value, stripped by Unicode-aware trimming",
        "server",
        POST + b"Transfer-Encoding: chunked\xc2\x85\r\n\r\n0\r\n\r\n",
        Reject(400, "not chunked"),
    ),
    Technique(
        "TE NUL",
        "a NUL that ends the value early in C string handling",
        "server",
        POST + b"Transfer-Encoding: chunked\x00gzip\r\n\r\n0\r\n\r\n",
        Reject(400, "NUL byte in value"),
    ),
    Technique(
        "TE second field",
        "a second Transfer-Encoding field that one parser reads and the other drops",
        "server",
        POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n",
        Reject(400, "final transfer coding is b'cow'"),
    ),
    Technique(
        "TE chunked not last",
        "'chunked, identity': the body length cannot be known (RFC 9112 §6.3)",
        "server",
        POST + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        Reject(400, "final transfer coding is b'identity'"),
    ),
    Technique(
        "TE unknown coding first",
        "'gzip, chunked': framed, but a coding we cannot undo",
        "server",
        POST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        Reject(501, "unsupported transfer coding b'gzip'"),
    ),
    Technique(
        "TE twice chunked",
        "'chunked, chunked': decoded once by some, twice by others",
        "server",
        POST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "more than once"),
    ),
    Technique(
        "TE in HTTP/1.0",
        "an HTTP/1.0 hop does not know chunked, so it frames by close or length",
        "server",
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "Transfer-Encoding in an HTTP/1.0 request"),
    ),
    Technique(
        "TE mixed case",
        "codings are case-insensitive: 'cHuNkEd' is chunked for every correct parser",
        "server",
        POST + b"Transfer-Encoding: cHuNkEd\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        ("POST /", b"abc", "end", "closed"),
    ),
    Technique(
        "TE tab as OWS",
        "HTAB is valid optional whitespace around a value",
        "server",
        POST + b"Transfer-Encoding:\tchunked\t\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        ("POST /", b"abc", "end", "closed"),
    ),
    # -- header-name tricks -------------------------------------------------------
    Technique(
        "Content_Length",
        "an underscore name that some stacks map to Content-Length: to us it is another field",
        "server",
        POST + b"Content_Length: 5\r\n\r\n",
        ("POST /", "end", "closed"),
    ),
    Technique(
        "name with NUL",
        "'Content-Length\\0' read as Content-Length by C-string parsers",
        "server",
        POST + b"Content-Length\x00: 5\r\n\r\nhello",
        Reject(400, "invalid header field name"),
    ),
    Technique(
        "name with non-ASCII",
        "a name with obs-text that case folding could map onto a framing field",
        "server",
        POST + b"Transfer-\xc4\xb0ncoding: chunked\r\n\r\n",
        Reject(400, "invalid header field name"),
    ),
    Technique(
        "field line without colon",
        "a line with no colon, skipped by some and fatal to others",
        "server",
        POST + b"Transfer-Encoding chunked\r\n\r\n",
        Reject(400, "without a colon"),
    ),
    Technique(
        "duplicate Host",
        "two Host fields route the request to two different back ends",
        "server",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        Reject(400, "more than one Host"),
    ),
    # -- line terminators -----------------------------------------------------------
    Technique(
        "bare LF in head",
        "a field line ended by LF alone: one parser sees two fields, another one",
        "server",
        POST + b"X: y\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "bare LF"),
    ),
    Technique(
        "bare CR in head",
        "a CR alone, read as a line end by some old parsers",
        "server",
        POST + b"X: y\rTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "bare CR"),
    ),
    Technique(
        "LF LF ends head",
        "a head ended by an empty LF line: the body starts at different bytes",
        "server",
        b"GET / HTTP/1.1\r\nHost: a\n\nGET /admin HTTP/1.1\r\n\r\n",
        Reject(400, "bare LF"),
    ),
    # -- chunk-size tricks -------------------------------------------------------
    Technique(
        "chunk size 0x",
        "'0x5' read as 5 by strtol-style parsers and as 0 by others",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        Reject(400, "invalid chunk extension"),
    ),
    Technique(
        "chunk size overflow",
        "a size past 64 bits that wraps to a small number in fixed-size integers",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n",
        Reject(400, "chunk size too large"),
    ),
    Technique(
        "chunk size sign",
        "'-0' or '+5': a sign some integer parsers skip",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        Reject(400, "invalid chunk size"),
    ),
    Technique(
        "chunk size trailing whitespace",
        "'5 ' or '5\\t' before the CRLF, trimmed by some, fatal to others",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n5\t\r\nhello\r\n0\r\n\r\n",
        Reject(400, "invalid chunk extension"),
    ),
    Technique(
        "chunk size leading zeros",
        "leading zeros are valid hex: '0005' is five for every correct parser",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n000\r\n\r\n",
        ("POST /", b"hello", "end", "closed"),
    ),
    # -- chunk extensions and chunk ends -------------------------------------------
    Technique(
        "chunk-ext bare LF",
        "an LF inside an extension: a line end to one parser, extension text to another",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",
        Reject(400, "bare LF"),
    ),
    Technique(
        "chunk-ext bare CR",
        "a CR inside an extension, the same confusion with CR",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
        Reject(400, "invalid chunk extension"),
    ),
    Technique(
        "chunk-ext quoted CRLF",
        "a quoted-string extension that runs past the CRLF to hide the next line",
        "server",
        POST + b'Transfer-Encoding: chunked\r\n\r\n5;a="x\r\nhello\r\n0\r\n\r\n',
        Reject(400, "invalid chunk extension"),
    ),
    Technique(
        "chunk-ext grammar",
        "extensions in their exact grammar, with BWS and a quoted value, are read and dropped",
        "server",
        POST + b'Transfer-Encoding: chunked\r\n\r\n5 ; a = "b;c" ;d\r\nhello\r\n0;e=f\r\n\r\n',
        ("POST /", b"hello", "end", "closed"),
    ),
    Technique(
        "chunk ended by LF",
        "chunk data followed by LF alone: one parser consumes it, another the next byte too",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        Reject(400, "chunk data not followed by CRLF"),
    ),
    Technique(
        "chunk longer than its size",
        "more data than the size says: the excess read as the next chunk-size line",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
        Reject(400, "chunk data not followed by CRLF"),
    ),
    Technique(
        "last chunk without final CRLF",
        "a last-chunk not followed by CRLF: the next request is read as trailers by us",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n0\r\n" + SMUGGLED,
        Reject(400, "without a colon"),
    ),
    Technique(
        "framing field in trailers",
        "a Content-Length in the trailer section, merged into the head by some",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 50\r\n\r\n",
        Reject(400, "content-length header field not allowed in trailers"),
    ),
    Technique(
        "trailer field kept",
        "an ordinary trailer field stays a trailer, on the EndOfMessage",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n0\r\nChecksum: 1\r\n\r\n",
        ("POST /", "end checksum=1", "closed"),
    ),
    # -- request line and target ------------------------------------------------------
    Technique(
        "two targets",
        "'GET /a HTTP/1.1 /b': parsers split the line at different spaces",
        "server",
        b"GET /a HTTP/1.1 /b\r\n" + H + b"\r\n",
        Reject(400, "expected method SP request-target SP"),
    ),
    Technique(
        "HTTP/0.9 request",
        "a versionless request line, answered without a head by old servers",
        "server",
        b"GET /\r\n\r\n",
        Reject(400, "expected method SP request-target SP"),
    ),
    Technique(
        "raw space in target",
        "an unencoded space inside the target",
        "server",
        b"GET /a b HTTP/1.1\r\n" + H + b"\r\n",
        Reject(400, "expected method SP request-target SP"),
    ),
    Technique(
        "non-ASCII target",
        "raw UTF-8 in the target, normalised differently by each hop",
        "server",
        b"GET /\xe2\x80\xa8admin HTTP/1.1\r\n" + H + b"\r\n",
        Reject(400, "invalid request target"),
    ),
    Technique(
        "control byte in target",
        "a control byte in the target, dropped by some hops",
        "server",
        b"GET /a\x00/admin HTTP/1.1\r\n" + H + b"\r\n",
        Reject(400, "invalid request target"),
    ),
    # -- pipelining desync ---------------------------------------------------------------
    Technique(
        "pipelined requests",
        "two complete requests back to back are two requests, answered in order",
        "server",
        b"GET / HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLED,
        ("GET /", "end", "GET /admin", "end", "closed"),
    ),
    Technique(
        "GET with a body",
        "a Content-Length on a GET is honoured: the body is not the next request (CL.0)",
        "server",
        b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 32\r\n\r\n" + SMUGGLED,
        ("GET /", SMUGGLED, "end", "closed"),
    ),
    Technique(
        "bytes after Connection: close",
        "data after a request that ends the connection is never parsed",
        "server",
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + SMUGGLED,
        Reject(400, "should be silent", ("GET /", "end")),
    ),
    Technique(
        "leading CRLF",
        "empty lines before a request are skipped (RFC 9112 §2.2), and counted against the limit",
        "server",
        b"\r\n\r\n" + SMUGGLED,
        ("GET /admin", "end", "closed"),
    ),
    # -- issue 14: hostile input, round two ---------------------------------------------------
    Technique(
        "CONNECT with a body",
        "a CONNECT has no content (RFC 9110 §9.3.6): a length would read tunnel bytes as a request",
        "server",
        b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        Reject(400, "CONNECT request with Transfer-Encoding or a non-zero Content-Length"),
    ),
    Technique(
        "CONNECT chunked",
        "a chunked CONNECT: the tunnel's first bytes would be read as chunks",
        "server",
        b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
        Reject(400, "CONNECT request with Transfer-Encoding or a non-zero Content-Length"),
    ),
    Technique(
        "TE trailing comma",
        "'chunked,': an empty list element, read as chunked by some and as unknown by others",
        "server",
        POST + b"Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
        Reject(400, "empty Transfer-Encoding list element"),
    ),
    Technique(
        "TE comma and space",
        "'chunked , ': an empty element hidden behind whitespace",
        "server",
        POST + b"Transfer-Encoding: chunked , \r\n\r\n0\r\n\r\n",
        Reject(400, "empty Transfer-Encoding list element"),
    ),
    Technique(
        "TE double comma",
        "'chunked,,': two empty elements",
        "server",
        POST + b"Transfer-Encoding: chunked,,\r\n\r\n0\r\n\r\n",
        Reject(400, "empty Transfer-Encoding list element"),
    ),
    Technique(
        "TE empty field beside chunked",
        "an empty Transfer-Encoding field next to a chunked one",
        "server",
        POST + b"Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "empty Transfer-Encoding list element"),
    ),
    Technique(
        "TE many commas",
        "16,000 commas before chunked: obfuscation, and a cost for a careless parser",
        "server",
        POST + b"Transfer-Encoding: " + b"," * 16000 + b"chunked\r\n\r\n0\r\n\r\n",
        Reject(400, "empty Transfer-Encoding list element"),
    ),
    Technique(
        "CL leading zeros",
        "zeros before a length are not significant digits (1*DIGIT): 20 characters, length 5",
        "server",
        POST + b"Content-Length: 00000000000000000005\r\n\r\nhello",
        ("POST /", b"hello", "end", "closed"),
    ),
    Technique(
        "CR-only line endings",
        "a head with bare CRs for line endings is refused at once, not held until the limit",
        "server",
        b"GET / HTTP/1.1\rHost: a\r\r",
        Reject(400, "bare CR"),
    ),
    Technique(
        "forbidden field in trailer",
        "a Content-Type trailer is dropped, never merged into the head, and not fatal",
        "server",
        POST + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nContent-Type: text/x\r\nX: y\r\n\r\n",
        ("POST /", b"abc", "end x=y", "closed"),
    ),
    # -- responses (h11sm as a client, e.g. a proxy's upstream side) -------------------------
    Technique(
        "response TE and CL",
        "Transfer-Encoding overrides Content-Length in a response (RFC 9112 §6.3)",
        "client",
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        (200, b"abc", "end", "closed"),
    ),
    Technique(
        "response CL.CL",
        "two differing lengths in a response desynchronise a proxy's response queue",
        "client",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        Reject(400, "conflicting values"),
    ),
    Technique(
        "response body after 1xx",
        "a body on a 100 Continue is not a body: the bytes must be a new head",
        "client",
        b"HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n",
        Reject(400, "illegal status line"),
    ),
    Technique(
        "response obs-fold",
        "a folded response field is joined with SP, as RFC 9112 §5.2 requires of a client",
        "client",
        b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        (200, "end", "closed"),
    ),
    Technique(
        "response bare LF chunk",
        "a lenient client still reads chunked framing strictly",
        "client",
        b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
        Reject(400, "bare LF line ending in chunk-size line"),
    ),
    Technique(
        "response to HEAD with length",
        "a HEAD response's Content-Length describes a body that is not sent",
        "client",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        (200, "end", 204, "end", "closed"),
    ),
    Technique(
        "HTTP/1.0 chunked response",
        "chunked from an HTTP/1.0 server (faulty framing, RFC 9112 §6.1): dechunked, never framing as body",
        "client",
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        (200, b"hello", "end", "closed"),
    ),
    Technique(
        "status above 599",
        "an unknown three-digit status is a final response framed like a 500 (RFC 9110 §15)",
        "client",
        b"HTTP/1.1 600 X\r\nContent-Length: 2\r\n\r\nhi",
        (600, b"hi", "end", "closed"),
    ),
    Technique(
        "Connection: close on a 1xx",
        "a close on an interim response does not lose the final response that follows it",
        "client",
        b"HTTP/1.1 103 Early Hints\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
        (103, 200, b"hi", "end", "closed"),
    ),
]

METHODS = {"response to HEAD with length": ("HEAD", "GET")}


def outcome_of(technique: Technique) -> Reject | tuple[object, ...]:
    case = fuzz.Case(technique.role, technique.wire, METHODS.get(technique.name, ("GET",)))
    outcome = fuzz.check(case, [5, 17, 40], hang_seconds=None)
    events = summary(outcome.events)
    if outcome.error_hint is None:
        return events
    return Reject(outcome.error_hint, outcome.error_message, events)


@pytest.mark.parametrize("technique", CORPUS, ids=[t.name for t in CORPUS])
def test_technique(technique: Technique) -> None:
    got = outcome_of(technique)
    if isinstance(technique.verdict, Reject):
        assert isinstance(got, Reject), f"accepted: {got}"
        assert (got.hint, got.events) == (technique.verdict.hint, technique.verdict.events)
        assert technique.verdict.message in got.message, got.message
    else:
        assert got == technique.verdict


def test_corpus_names_unique_and_notes_one_line() -> None:
    assert len({t.name for t in CORPUS}) == len(CORPUS)
    assert all("\n" not in t.note and t.note for t in CORPUS)
    assert set(METHODS) <= {t.name for t in CORPUS}


def test_summary_covers_every_event_kind() -> None:
    assert summary([Data(data=b"x").data, ConnectionClosed()]) == (b"x", "closed")
