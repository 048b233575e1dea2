"""A small forwarding HTTP/1.1 proxy built on h11sm, in both roles.

Towards its clients it is a server; towards the origin servers a client. Plain
http:// requests (in absolute form, as sent by `curl -x`) are forwarded with
their bodies streamed both ways and hop-by-hop header fields dropped (RFC 9110
section 7.6.1); h11sm picks each side's framing itself, so a chunked upstream
response reaches an HTTP/1.0 client delimited by close. "Expect: 100-continue"
travels end to end. One upstream connection per client connection is kept
alive while it goes to the same origin.

CONNECT host:port opens a tunnel: the proxy answers 200, h11sm moves both
machines to SWITCHED_PROTOCOL and hands back any bytes that came after the
request (Connection.trailing_data), and from then on the proxy copies raw
bytes in both directions (e.g. TLS for an https:// URL).

This is an example, not a hardened proxy: it listens on loopback by default
and will connect anywhere its clients ask.

Run:  python docs/examples/proxy.py --port 3128 -v
      curl -x http://127.0.0.1:3128 http://example.com/
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal
import sys
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

import h11sm

READ_SIZE = 64 * 1024
VIA = "1.1 h11sm-proxy"

#: Fields that describe one hop, never forwarded (RFC 9110 §7.6.1), besides
#: those the Connection field names. Transfer-Encoding is re-chosen per hop
#: by h11sm; Expect is forwarded on purpose (§10.1.1).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)


@dataclass(frozen=True)
class ProxyConfig:
    #: Seconds for each read and write on either side, for a whole request
    #: head, and for connecting upstream.
    timeout: float
    #: Seconds a CONNECT tunnel may stay silent in both directions.
    tunnel_idle_timeout: float
    verbose: bool


class PeerTimeout(Exception):
    """A peer took longer than the configured timeout."""


class UpstreamError(Exception):
    """The origin server could not be reached or broke the protocol."""


class HttpStream:
    """One TCP connection and the h11sm Connection that speaks over it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, role: object, timeout: float):
        self.reader = reader
        self.writer = writer
        self.conn = h11sm.Connection(role)  # type: ignore[arg-type]
        self.timeout = timeout

    async def next_event(self) -> h11sm.Event:
        while True:
            event = self.conn.next_event()
            if event is h11sm.NEED_DATA:
                try:
                    async with asyncio.timeout(self.timeout):
                        data = await self.reader.read(READ_SIZE)
                except TimeoutError:
                    raise PeerTimeout("timed out waiting for the peer to send") from None
                self.conn.feed(data)
                continue
            if not isinstance(event, h11sm.Event):
                raise h11sm.ProtocolError(f"peer sent data while it should wait (parsing paused: {event!r})")
            return event

    async def send(self, event: h11sm.Event) -> None:
        data = self.conn.send(event)
        if data:
            self.writer.write(data)
            try:
                async with asyncio.timeout(self.timeout):
                    await self.writer.drain()
            except TimeoutError:
                raise PeerTimeout("timed out waiting for the peer to read") from None

    @property
    def reusable(self) -> bool:
        return self.conn.states == {h11sm.CLIENT: h11sm.DONE, h11sm.SERVER: h11sm.DONE}

    async def close(self) -> None:
        if self.conn.our_state is not h11sm.ERROR:
            with contextlib.suppress(h11sm.ProtocolError):
                self.conn.send(h11sm.ConnectionClosed())
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def forwarded_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """*headers* without the hop-by-hop fields, plus our Via."""
    pairs = list(headers)
    named = {token.strip().lower() for name, value in pairs if name == b"connection" for token in value.split(b",")}
    kept = [(name, value) for name, value in pairs if name not in HOP_BY_HOP and name not in named]
    return [*kept, (b"via", VIA.encode())]


def split_authority(authority: str, default_port: int | None) -> tuple[str, int]:
    """``("example.com", 80)`` from ``example.com:80``; ValueError if malformed."""
    parts = urllib.parse.urlsplit(f"//{authority}")
    port = parts.port or default_port
    if not parts.hostname or port is None or parts.username is not None or parts.path:
        raise ValueError(f"bad authority {authority!r}")
    return parts.hostname, port


class ProxySession:
    """One client connection; forwards its requests one at a time."""

    _ids = itertools.count(1)

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, config: ProxyConfig) -> None:
        self.config = config
        self.down = HttpStream(reader, writer, h11sm.SERVER, config.timeout)
        self.up: HttpStream | None = None
        self.up_origin: tuple[str, int] | None = None
        self.ident = next(self._ids)

    def log(self, message: str) -> None:
        if self.config.verbose:
            print(f"[proxy conn {self.ident}] {message}", flush=True)

    async def run(self) -> None:
        try:
            while True:
                try:
                    async with asyncio.timeout(self.config.timeout):
                        event = await self.down.next_event()
                except TimeoutError:
                    raise PeerTimeout("timed out waiting for a request head") from None
                if isinstance(event, h11sm.ConnectionClosed):
                    break
                assert isinstance(event, h11sm.Request), event
                self.log(f"{event.method.decode()} {event.target.decode(errors='replace')}")
                if event.method == b"CONNECT":
                    await self.tunnel(event)
                    break
                await self.forward(event)
                if not self.down.reusable:
                    break
                self.down.conn.prepare_to_reuse()
        except h11sm.ProtocolError as exc:
            self.log(f"client broke the protocol: {exc.msg}")
            await self.answer_error(exc.error_status_hint, exc.msg)
        except PeerTimeout as exc:
            self.log(str(exc))
            if self.down.conn.trailing_data[0] or self.down.conn.their_state is not h11sm.IDLE:
                # Only a client that started a request hears why we give up.
                await self.answer_error(408, str(exc))
        except (ConnectionError, UpstreamError) as exc:
            self.log(f"gave up: {exc}")
        finally:
            if self.up is not None:
                await self.up.close()
            await self.down.close()

    async def answer_error(self, status: int, message: str) -> None:
        if self.down.conn.our_state is h11sm.IDLE or self.down.conn.our_state is h11sm.SEND_RESPONSE:
            body = f"{message}\n".encode()
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
                ("Via", VIA),
            ]
            with contextlib.suppress(h11sm.ProtocolError, PeerTimeout, ConnectionError):
                await self.down.send(h11sm.Response(status_code=status, headers=headers))
                await self.down.send(h11sm.Data(data=body))
                await self.down.send(h11sm.EndOfMessage())

    # -- plain requests ----------------------------------------------------------

    async def connect_upstream(self, origin: tuple[str, int]) -> HttpStream:
        if self.up is not None and self.up_origin == origin:
            return self.up
        if self.up is not None:
            await self.up.close()
            self.up = None
        try:
            async with asyncio.timeout(self.config.timeout):
                reader, writer = await asyncio.open_connection(*origin)
        except (OSError, TimeoutError) as exc:
            raise UpstreamError(f"can't connect to {origin[0]}:{origin[1]}: {exc!r}") from exc
        self.up = HttpStream(reader, writer, h11sm.CLIENT, self.config.timeout)
        self.up_origin = origin
        return self.up

    async def forward(self, request: h11sm.Request) -> None:
        target = urllib.parse.urlsplit(request.target.decode("ascii", errors="replace"))
        if target.scheme != "http" or not target.netloc:
            await self.answer_error(400, "send absolute http:// URLs, or CONNECT for anything else")
            return
        try:
            origin = split_authority(target.netloc, 80)
        except ValueError as exc:
            await self.answer_error(400, str(exc))
            return
        try:
            up = await self.connect_upstream(origin)
        except UpstreamError as exc:
            await self.answer_error(502, str(exc))
            return
        headers = [(b"host", target.netloc.encode()), *forwarded_headers(
            (name, value) for name, value in request.headers if name != b"host"
        )]
        if any(name == b"transfer-encoding" for name, _ in request.headers):
            # The body arrives chunked; keep it so upstream (h11sm would
            # otherwise think a request without framing fields has no body).
            headers.append((b"transfer-encoding", b"chunked"))
        path = urllib.parse.urlunsplit(("", "", target.path or "/", target.query, ""))
        await up.send(h11sm.Request(method=request.method, target=path, headers=headers))
        # The two directions run side by side: with Expect: 100-continue the
        # client's body only starts once the origin's 100 came through.
        request_body = asyncio.create_task(self.relay_request_body(up))
        response = asyncio.create_task(self.relay_response(up, request.method))
        await asyncio.wait({request_body, response}, return_when=asyncio.FIRST_COMPLETED)
        if request_body.done() and request_body.exception() is None:
            await asyncio.wait({response})  # the usual order: body sent, then the answer
        for task in (request_body, response):
            if not task.done():
                # The origin answered without reading the whole body (say it
                # refused an Expect: 100-continue), or one side failed.
                task.cancel()
                await asyncio.wait({task})
        if not request_body.cancelled() and (client_error := request_body.exception()) is not None:
            raise client_error  # the client's fault (or its hop's): run() deals with it
        if not response.cancelled() and (failure := response.exception()) is not None:
            await self.drop_upstream()
            if self.down.conn.our_state is h11sm.SEND_RESPONSE:
                await self.answer_error(502, f"bad answer from upstream: {failure}")
                return
            raise UpstreamError(f"upstream failed mid-response: {failure}") from failure
        if up.reusable:
            up.conn.prepare_to_reuse()
        else:
            await self.drop_upstream()

    async def drop_upstream(self) -> None:
        if self.up is not None:
            await self.up.close()
            self.up = None
            self.up_origin = None

    async def relay_request_body(self, up: HttpStream) -> None:
        while True:
            event = await self.down.next_event()
            if isinstance(event, h11sm.Data):
                await up.send(event)
            else:
                assert isinstance(event, h11sm.EndOfMessage), event
                await up.send(h11sm.EndOfMessage(headers=event.headers))
                return

    async def relay_response(self, up: HttpStream, method: bytes) -> None:
        while True:
            event = await up.next_event()
            if isinstance(event, h11sm.InformationalResponse):
                if event.status_code == 101:
                    raise h11sm.ProtocolError("upstream switched protocols, which this proxy never asks for")
                headers = forwarded_headers(event.headers)
                await self.down.send(h11sm.InformationalResponse(status_code=event.status_code, headers=headers))
            elif isinstance(event, h11sm.Response):
                headers = forwarded_headers(event.headers)
                if self.down.conn.they_are_waiting_for_100_continue:
                    headers.append((b"connection", b"close"))
                self.log(f"  <- {event.status_code} {event.reason.decode(errors='replace')}")
                answer = h11sm.Response(status_code=event.status_code, headers=headers, reason=event.reason)
                await self.down.send(answer)
            elif isinstance(event, h11sm.Data):
                await self.down.send(event)
            elif isinstance(event, h11sm.EndOfMessage):
                # Trailers are dropped: the client's hop may not be chunked.
                await self.down.send(h11sm.EndOfMessage())
                return
            else:
                raise h11sm.ProtocolError("upstream closed the connection before it answered")

    # -- CONNECT tunnels -----------------------------------------------------------

    async def tunnel(self, request: h11sm.Request) -> None:
        event = await self.down.next_event()
        assert isinstance(event, h11sm.EndOfMessage), event  # CONNECT has no body
        try:
            origin = split_authority(request.target.decode("ascii", errors="replace"), None)
        except ValueError as exc:
            await self.answer_error(400, f"CONNECT needs host:port: {exc}")
            return
        try:
            async with asyncio.timeout(self.config.timeout):
                reader, writer = await asyncio.open_connection(*origin)
        except (OSError, TimeoutError) as exc:
            await self.answer_error(502, f"can't connect to {origin[0]}:{origin[1]}: {exc!r}")
            return
        # A 2xx answer to CONNECT switches both machines to SWITCHED_PROTOCOL.
        await self.down.send(h11sm.Response(status_code=200, headers=[("Via", VIA)]))
        assert self.down.conn.states == {h11sm.CLIENT: h11sm.SWITCHED_PROTOCOL, h11sm.SERVER: h11sm.SWITCHED_PROTOCOL}
        early_bytes, client_closed = self.down.conn.trailing_data
        self.log(f"  tunnel to {origin[0]}:{origin[1]} open ({len(early_bytes)} early bytes)")
        try:
            if early_bytes:
                writer.write(early_bytes)
            if client_closed:
                writer.write_eof()
                reader_down = None
            else:
                reader_down = self.down.reader
            copies = [self.copy(reader, self.down.writer)]
            if reader_down is not None:
                copies.append(self.copy(reader_down, writer))
            await asyncio.gather(*copies)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        self.log("  tunnel closed")

    async def copy(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """Copy bytes until *source* ends, then pass the half-close on."""
        with contextlib.suppress(OSError, TimeoutError):
            while True:
                async with asyncio.timeout(self.config.tunnel_idle_timeout):
                    data = await source.read(READ_SIZE)
                if not data:
                    break
                sink.write(data)
                await sink.drain()
            if sink.can_write_eof():
                sink.write_eof()


async def serve(host: str, port: int, config: ProxyConfig) -> None:
    connections: set[asyncio.Task[object]] = set()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            # Cancellation at shutdown ends the task quietly; anything else
            # is a bug and asyncio prints its traceback.
            with contextlib.suppress(asyncio.CancelledError):
                await ProxySession(reader, writer, config).run()
        finally:
            connections.discard(task)

    server = await asyncio.start_server(on_connection, host, port, limit=READ_SIZE)
    bound = server.sockets[0].getsockname()
    print(f"proxy listening on http://{bound[0]}:{bound[1]}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()
        # Stop accepting, then end the open connections ourselves, so that
        # none is still running when asyncio.run() tears the loop down.
        server.close()
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
    print("proxy stopped", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=3128, help="port, 0 for any free one (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per read, write and connect (default: 30)")
    parser.add_argument(
        "--tunnel-idle-timeout", type=float, default=300.0, help="seconds a silent tunnel stays open (default: 300)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print one line per request and tunnel")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = ProxyConfig(timeout=args.timeout, tunnel_idle_timeout=args.tunnel_idle_timeout, verbose=args.verbose)
    try:
        asyncio.run(serve(args.host, args.port, config))
    except OSError as exc:
        sys.exit(f"proxy.py: {exc}")


if __name__ == "__main__":
    main()
