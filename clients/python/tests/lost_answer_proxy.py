"""A TCP proxy in front of the server that can lose an answer: once armed, it closes
both connections when the next bytes come back from the server, so the server has run
(and, for an autocommit call, committed) the statement but the client never reads the
answer. PostgreSQL sends an autocommit statement's result with its ReadyForQuery, after
the commit, so the first bytes after arming follow the commit."""

from __future__ import annotations

import socket
import threading

from .support import server_address


class LostAnswerProxy:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._armed = threading.Event()
        self.dropped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self) -> None:
        """Lose the next answer."""
        self._armed.set()

    def close(self) -> None:
        self._listener.close()

    def _upstream(self) -> socket.socket:
        host, port = server_address()
        if host.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(f"{host}/.s.PGSQL.{port}")
            return sock
        return socket.create_connection((host, port))

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = self._upstream()
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_server: bool) -> None:
        try:
            while data := src.recv(65536):
                if from_server and self._armed.is_set():
                    self._armed.clear()
                    self.dropped.set()
                    break
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
