"""The runner's own TCP helpers on real sockets: the host server image cases fetch from, and the
client that retries a connection closed without a reply (a port forwarder accepting early)."""

from __future__ import annotations

import socket
import threading

from conformance.runner import tcp_client, tcp_server


def test_host_server_answers_every_connection_then_stops():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    stop = threading.Event()
    t = threading.Thread(target=tcp_server, args=(srv, b"HTTP/1.0 200 OK\r\n\r\nhi\n", stop), daemon=True)
    t.start()
    for _ in range(2):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            got = b""
            while chunk := c.recv(4096):
                got += chunk
        assert got == b"HTTP/1.0 200 OK\r\n\r\nhi\n"
    stop.set()
    t.join(5)
    assert not t.is_alive()


def test_client_retries_a_connection_closed_without_reply():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]

    def serve() -> None:
        first, _ = srv.accept()
        first.close()  # accepted, nothing behind it yet
        second, _ = srv.accept()
        with second:
            assert second.recv(100) == b"ping\n"
            second.sendall(b"pong\n")
        srv.close()

    threading.Thread(target=serve, daemon=True).start()
    result: dict = {}
    tcp_client(port, b"ping\n", result, 10, threading.Event())
    assert result == {"reply": b"pong\n"}


def test_client_reports_a_port_nobody_listens_on():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result: dict = {}
    tcp_client(port, b"x\n", result, 0.5, threading.Event())
    assert result == {"error": f"could not connect to 127.0.0.1:{port}"}
