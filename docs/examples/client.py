"""A blocking HTTP/1.1 client built on h11sm (sockets, optional TLS).

Fetches URL, then each further PATH from the same server, reusing one
connection while the server allows keep-alive (and reconnecting when it does
not). Response bodies are streamed to standard output as they arrive, whatever
their framing: Content-Length, chunked, or delimited by the server closing the
connection. With a body to send (--data or --upload-file) the request can ask
"Expect: 100-continue" first and send the body only once the server agrees.

Examples:
  python docs/examples/client.py http://127.0.0.1:8080/ /stream /hello.txt -v
  python docs/examples/client.py http://127.0.0.1:8080/echo -d 'hi' --expect-continue
  python docs/examples/client.py https://example.com/ --cafile ca.pem
"""

from __future__ import annotations

import argparse
import io
import os
import select
import socket
import ssl
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

import h11sm

READ_SIZE = 64 * 1024
UPLOAD_PIECE_SIZE = 64 * 1024

#: ``conn.states``: role -> state (both are h11sm sentinels).
States = Mapping[h11sm.Sentinel, h11sm.Sentinel]
#: Called for every event sent or received: (verb, event, states before, states after).
EventHook = Callable[[str, h11sm.Event, States, States], None]


class ClientError(Exception):
    """The request failed: network trouble, a timeout or a protocol error."""


@dataclass
class ResponseInfo:
    """What came back for one request (the body went to the sink)."""

    status_code: int
    reason: bytes
    http_version: bytes
    headers: list[tuple[bytes, bytes]]
    #: "content-length", "chunked", "until-close" or "none" (no body allowed).
    framing: str
    body_size: int = 0
    #: Which connection (1 = the first) carried the exchange.
    connection_number: int = 0
    #: 1xx responses that came first (e.g. 100 for Expect: 100-continue).
    informational: list[int] = field(default_factory=list)
    trailers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.headers if key == name.lower()), None)


def framing_of(response: h11sm.Response, method: bytes) -> str:
    """Name how the body of *response* is delimited (RFC 9112 section 6.3)."""
    if method == b"HEAD" or response.status_code in (204, 304):
        return "none"
    names = {name for name, _ in response.headers}
    if b"transfer-encoding" in names:
        return "chunked"
    if b"content-length" in names:
        return "content-length"
    return "until-close"


@dataclass
class Upload:
    """A request body: its pieces and, if known, its length."""

    pieces: Iterable[bytes]
    length: int | None

    @classmethod
    def from_bytes(cls, data: bytes) -> Upload:
        return cls([data], len(data))

    @classmethod
    def from_file(cls, file: BinaryIO) -> Upload:
        try:
            length: int | None = os.fstat(file.fileno()).st_size if os.path.isfile(file.name) else None
        except (AttributeError, OSError, TypeError, io.UnsupportedOperation):
            length = None
        return cls(iter(lambda: file.read(UPLOAD_PIECE_SIZE), b""), length)


class HttpClient:
    """Requests to one origin (scheme, host, port) over a reused connection."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        continue_timeout: float = 1.0,
        tls_context: ssl.SSLContext | None = None,
        on_event: EventHook | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # not a number, or out of range
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
            raise ClientError(f"not an http:// or https:// URL: {url!r}")
        self.host = parts.hostname
        self.port = port or (443 if parts.scheme == "https" else 80)
        self.host_header = parts.netloc.rpartition("@")[2]
        self.timeout = timeout
        self.continue_timeout = continue_timeout
        self.tls_context = tls_context
        if parts.scheme == "https" and tls_context is None:
            self.tls_context = ssl.create_default_context()
        self.on_event = on_event
        self.connections_opened = 0
        self._answer_started = False
        self.sock: socket.socket | None = None
        self.conn = h11sm.Connection(h11sm.CLIENT)

    # -- connection management -------------------------------------------------

    def _connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            if self.tls_context is not None:
                sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)
        except OSError as exc:
            raise ClientError(f"can't connect to {self.host}:{self.port}: {exc}") from exc
        self.sock = sock
        self.conn = h11sm.Connection(h11sm.CLIENT)
        self.connections_opened += 1

    def close(self) -> None:
        if self.sock is not None:
            # Closing is an event only between messages; mid-body (a refused
            # Expect: 100-continue) we simply hang up.
            if self.conn.our_state in (h11sm.IDLE, h11sm.DONE, h11sm.MUST_CLOSE):
                self._send(h11sm.ConnectionClosed())
            self.sock.close()
            self.sock = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- event I/O ---------------------------------------------------------------

    def _send(self, *events: h11sm.Event) -> None:
        """Send *events* with one write (a head and an empty body's end, say)."""
        assert self.sock is not None
        chunks = []
        for event in events:
            before = self.conn.states
            data = self.conn.send(event)
            if self.on_event is not None:
                self.on_event("sent", event, before, self.conn.states)
            if data:
                chunks.append(data)
        if chunks:
            self.sock.sendall(b"".join(chunks))

    def _receive(self) -> Iterator[h11sm.Event]:
        """Events from the server, reading the socket as needed (forever:
        the caller stops when it has what it wants)."""
        assert self.sock is not None
        while True:
            # The pull-style API (feed + next_event) lets us report the
            # states right after each event, not after a whole batch.
            before = self.conn.states
            event = self.conn.next_event()
            if event is h11sm.NEED_DATA:
                self.conn.feed(self.sock.recv(READ_SIZE))
                continue
            if not isinstance(event, h11sm.Event):  # PAUSED: bytes after the response we wait for
                raise ClientError("the server sent more than one response")
            if self.on_event is not None:
                self.on_event("received", event, before, self.conn.states)
            yield event

    def _server_answered_early(self) -> bool:
        """Wait a little for the server's go-ahead after Expect: 100-continue.

        True if a response (interim or final) started to arrive; False if the
        wait ran out, and then we send the body anyway (RFC 9110 §10.1.1)."""
        assert self.sock is not None
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True
        readable, _, _ = select.select([self.sock], [], [], self.continue_timeout)
        return bool(readable)

    # -- one exchange ------------------------------------------------------------

    def request(
        self,
        method: str,
        target: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes | Upload | None = None,
        expect_continue: bool = False,
        sink: Callable[[bytes], object] = lambda data: None,
    ) -> ResponseInfo:
        """Send one request and stream the response body into *sink*.

        A request without a body, or with a bytes body, is retried once on a
        fresh connection if a reused one turns out to have been closed by the
        server before it answered (a keep-alive race every client meets)."""
        upload = Upload.from_bytes(body) if isinstance(body, bytes) else body
        try:
            request = self._build_request(method, target, headers, upload, expect_continue)
        except h11sm.ProtocolError as exc:  # our caller's mistake, found before anything is sent
            raise ClientError(f"invalid request: {exc.msg}") from exc
        retryable = not isinstance(body, Upload)
        for attempt in (1, 2):
            reused = self.sock is not None
            self._answer_started = False
            try:
                return self._exchange(request, upload, expect_continue, sink)
            except (ClientError, OSError, h11sm.ProtocolError) as exc:
                self._discard_connection()
                stale = reused and not self._answer_started and not isinstance(exc, TimeoutError)
                if attempt == 1 and stale and retryable:
                    continue
                if isinstance(exc, ClientError):
                    raise
                if isinstance(exc, h11sm.ProtocolError):
                    raise ClientError(f"{method} {target}: the server broke HTTP/1.1: {exc.msg}") from exc
                raise ClientError(f"{method} {target}: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _discard_connection(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _build_request(
        self,
        method: str,
        target: str,
        extra_headers: Iterable[tuple[str, str]],
        upload: Upload | None,
        expect_continue: bool,
    ) -> h11sm.Request:
        headers = [("Host", self.host_header), ("User-Agent", h11sm.PRODUCT_ID), *extra_headers]
        if upload is not None:
            if upload.length is None:
                headers.append(("Transfer-Encoding", "chunked"))
            else:
                headers.append(("Content-Length", str(upload.length)))
            if expect_continue:
                headers.append(("Expect", "100-continue"))
        return h11sm.Request(method=method, target=target, headers=headers)

    def _exchange(
        self,
        request: h11sm.Request,
        upload: Upload | None,
        expect_continue: bool,
        sink: Callable[[bytes], object],
    ) -> ResponseInfo:
        if self.sock is None:
            self._connect()
        body_sent = upload is None
        if upload is None:
            self._send(request, h11sm.EndOfMessage())
        else:
            self._send(request)
            if not (expect_continue and self._server_answered_early()):
                self._send_body(upload)
                body_sent = True

        info: ResponseInfo | None = None
        interim: list[int] = []
        for event in self._receive():
            self._answer_started = not isinstance(event, h11sm.ConnectionClosed)
            if isinstance(event, h11sm.InformationalResponse):
                interim.append(event.status_code)
                if event.status_code == 100 and upload is not None and not body_sent:
                    self._send_body(upload)
                    body_sent = True
                continue
            if isinstance(event, h11sm.Response):
                info = ResponseInfo(
                    status_code=event.status_code,
                    reason=event.reason,
                    http_version=event.http_version,
                    headers=list(event.headers),
                    framing=framing_of(event, request.method),
                    connection_number=self.connections_opened,
                    informational=interim,
                )
            elif isinstance(event, h11sm.Data):
                assert info is not None
                info.body_size += len(event.data)
                sink(event.data)
            elif isinstance(event, h11sm.EndOfMessage):
                assert info is not None
                info.trailers = list(event.headers)
                break
            else:  # ConnectionClosed before a response: the server hung up.
                raise ClientError("the server closed the connection without answering")
        assert info is not None
        self._finish_exchange(body_sent)
        return info

    def _send_body(self, upload: Upload) -> None:
        # Each piece is held back until the next is read, so that the last
        # one leaves together with the end of the message.
        pending: list[h11sm.Event] = []
        for piece in upload.pieces:
            if piece:
                self._send(*pending)
                pending = [h11sm.Data(data=piece)]
        self._send(*pending, h11sm.EndOfMessage())

    def _finish_exchange(self, body_sent: bool) -> None:
        """Keep the connection for the next request if both sides allow it."""
        if body_sent and self.conn.states == {h11sm.CLIENT: h11sm.DONE, h11sm.SERVER: h11sm.DONE}:
            self.conn.prepare_to_reuse()
        else:
            # The server will close (or we never sent the body we announced,
            # after it refused our Expect: 100-continue): start afresh.
            self.close()


def make_tls_context(cafile: str | None, insecure: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cafile)
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def print_event(verb: str, event: h11sm.Event, before: States, after: States) -> None:
    changes = [f"{role}: {before[role]} -> {after[role]}" for role in after if before[role] is not after[role]]
    print(f"{verb} {event!r}", file=sys.stderr)
    print(f"    {', '.join(changes) or 'no state change'}", file=sys.stderr, flush=True)


def parse_header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon:
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the first URL to fetch (http:// or https://)")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="more paths to fetch from the same server")
    parser.add_argument("-X", "--method", help="request method (default: GET, or POST with a body)")
    parser.add_argument("-H", "--header", type=parse_header, action="append", default=[], help="extra 'Name: value'")
    body = parser.add_mutually_exclusive_group()
    body.add_argument("-d", "--data", help="send this text as the body of the first request")
    body.add_argument("-T", "--upload-file", type=argparse.FileType("rb"), help="send this file ('-': stdin, chunked)")
    parser.add_argument("--expect-continue", action="store_true", help="ask 'Expect: 100-continue' before the body")
    parser.add_argument("--timeout", type=float, default=30.0, help="socket timeout in seconds (default: 30)")
    parser.add_argument("--cafile", help="trust the certificate authorities in this PEM file (https)")
    parser.add_argument("-k", "--insecure", action="store_true", help="do not verify the server's certificate")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every event and state change to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    first = urllib.parse.urlsplit(args.url)
    targets = [urllib.parse.urlunsplit(("", "", first.path or "/", first.query, "")), *args.paths]
    upload: bytes | Upload | None = None
    if args.data is not None:
        upload = args.data.encode()
    elif args.upload_file is not None:
        upload = Upload.from_file(args.upload_file)
    tls = make_tls_context(args.cafile, args.insecure) if first.scheme == "https" else None
    out = sys.stdout.buffer
    try:
        hook = print_event if args.verbose else None
        with HttpClient(args.url, timeout=args.timeout, tls_context=tls, on_event=hook) as client:
            for number, target in enumerate(targets):
                body = upload if number == 0 else None
                method = args.method or ("POST" if body is not None else "GET")
                info = client.request(
                    method, target, headers=args.header, body=body, expect_continue=args.expect_continue, sink=out.write
                )
                out.flush()
                print(
                    f"{method} {target}: {info.status_code} {info.reason.decode(errors='replace')}, "
                    f"{info.body_size} bytes ({info.framing}), connection #{info.connection_number}",
                    file=sys.stderr,
                )
    except ClientError as exc:
        print(f"client.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
