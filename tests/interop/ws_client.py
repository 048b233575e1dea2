"""A WebSocket client made of wsproto and a plain socket, run in a child
process on the h11 that ``import h11`` gives it (wsproto does its opening
handshake with h11): sends some messages to an echo server and prints, as
one JSON line, what came back.

    python -m h11sm.h11 tests/interop/ws_client.py PORT

wsproto is imported inside main(), never at import time, so that importing
this module (pytest does, for its doctests) does not import h11.
"""

from __future__ import annotations

import json
import socket
import sys
from typing import Any

TIMEOUT = 10.0
#: What is sent, in order; the echo server must return each unchanged.
MESSAGES: list[str | bytes] = ["hello", "a longer text message " * 50, b"\x00\x01\x02binary", b"b" * 70_000]


def main(argv: list[str]) -> int:
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import (
        AcceptConnection,
        BytesMessage,
        CloseConnection,
        Message,
        Request,
        TextMessage,
    )

    port = int(argv[0])
    ws = WSConnection(ConnectionType.CLIENT)
    received: list[Any] = []
    pending: dict[bool, list[Any]] = {True: [], False: []}  # partial messages, by is-text
    accepted = False
    close_code = None
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(ws.send(Request(host=f"127.0.0.1:{port}", target="/ws")))
        while not accepted:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("closed during the handshake")
            ws.receive_data(data)
            for event in ws.events():
                if not isinstance(event, AcceptConnection):
                    raise AssertionError(f"unexpected handshake event {event!r}")
                accepted = True
        for message in MESSAGES:
            if isinstance(message, str):
                ws_message: Message[Any] = TextMessage(data=message)
            else:
                ws_message = BytesMessage(data=message)
            sock.sendall(ws.send(ws_message))
            expected = len(received) + 1
            while len(received) < expected:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("closed before the echo")
                ws.receive_data(data)
                for event in ws.events():
                    if isinstance(event, TextMessage | BytesMessage):
                        is_text = isinstance(event, TextMessage)
                        pending[is_text].append(event.data)
                        if event.message_finished:
                            whole = "".join(pending[is_text]) if is_text else b"".join(pending[is_text])
                            pending[is_text] = []
                            received.append(whole)
                    else:
                        raise AssertionError(f"unexpected event {event!r}")
        sock.sendall(ws.send(CloseConnection(code=1000, reason="done")))
        while close_code is None:
            data = sock.recv(65536)
            if not data:
                break
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, CloseConnection):
                    close_code = event.code
    h11 = sys.modules["h11"]
    import wsproto.handshake

    report = {
        "h11": h11.__name__,
        "wsproto_h11": wsproto.handshake.h11.__name__,
        "echoed": [message == echo for message, echo in zip(MESSAGES, received, strict=True)],
        "close_code": close_code,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
