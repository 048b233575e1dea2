"""h11sm at work: a client and a server talking over loopback.

Starts a tiny h11sm server on 127.0.0.1 (a background thread, one
connection), then an h11sm client makes two requests on the same connection
(keep-alive) and closes. Both sides print every event they send or receive
and the state machines after it.

Run:  python docs/examples/demo.py
"""

from __future__ import annotations

import argparse
import socket
import threading

import h11sm


def show(who: str, verb: str, event: object, conn: h11sm.Connection) -> None:
    print(f"{who:6} {verb:8} {event!r}")
    print(f"{'':6} {'':8} states: {conn.states}")


def serve_one_connection(listener: socket.socket) -> None:
    sock, _ = listener.accept()
    with sock:
        conn = h11sm.Connection(h11sm.SERVER)
        while True:
            for event in conn.receive_data(sock.recv(4096)):
                show("server", "received", event, conn)
                if type(event) is h11sm.EndOfMessage:
                    body = b"hello from h11sm\n"
                    for reply in (
                        h11sm.Response(
                            status_code=200,
                            headers=[
                                ("Content-Type", "text/plain"),
                                ("Content-Length", str(len(body))),
                                ("Server", h11sm.PRODUCT_ID),
                            ],
                        ),
                        h11sm.Data(data=body),
                        h11sm.EndOfMessage(),
                    ):
                        sock.sendall(conn.send(reply) or b"")
                        show("server", "sent", reply, conn)
                if type(event) is h11sm.ConnectionClosed:
                    return
            if conn.our_state is h11sm.MUST_CLOSE:
                conn.send(h11sm.ConnectionClosed())
                return
            if conn.states == {h11sm.CLIENT: h11sm.DONE, h11sm.SERVER: h11sm.DONE}:
                conn.prepare_to_reuse()


def fetch(sock: socket.socket, conn: h11sm.Connection, path: str, *, last: bool) -> bytes:
    headers = [("Host", "127.0.0.1"), ("User-Agent", h11sm.PRODUCT_ID)]
    if last:
        headers.append(("Connection", "close"))
    for event in (h11sm.Request(method="GET", target=path, headers=headers), h11sm.EndOfMessage()):
        sock.sendall(conn.send(event) or b"")
        show("client", "sent", event, conn)
    body = b""
    while conn.their_state is not h11sm.DONE and conn.their_state is not h11sm.MUST_CLOSE:
        for event in conn.receive_data(sock.recv(4096)):
            show("client", "received", event, conn)
            if type(event) is h11sm.Data:
                body += bytes(event.data)
    return body


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = threading.Thread(target=serve_one_connection, args=(listener,), daemon=True)
        server.start()
        with socket.create_connection(listener.getsockname()[:2], timeout=10) as sock:
            conn = h11sm.Connection(h11sm.CLIENT)
            print(f"client got {fetch(sock, conn, '/first', last=False)!r}\n")
            conn.prepare_to_reuse()
            print(f"client got {fetch(sock, conn, '/second', last=True)!r}\n")
            conn.send(h11sm.ConnectionClosed())
            sock.shutdown(socket.SHUT_WR)
            show("client", "closed", h11sm.ConnectionClosed(), conn)
        server.join(timeout=10)


if __name__ == "__main__":
    main()
