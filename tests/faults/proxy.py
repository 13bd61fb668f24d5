"""A TCP proxy on 127.0.0.1 that a test can take down and bring back, between the app and a real server.

- down(): stop listening (new connections are refused: ECONNREFUSED) and cut every open connection, as a
  server that stopped or restarted does to its clients' pooled connections.
- cut(): cut the open connections only; new ones go through (a restart that is already over).
- up(): listen again on the same port.

Plain threads and blocking sockets: the pumps end when either side closes or is cut.
"""
import socket
import threading


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = 0  # chosen by the first bind, reused by each up()
        self.connections = 0  # accepted since the start: a test can tell that a client really reconnected
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stopping = threading.Event()
        self.up()

    # --- control -------------------------------------------------------------------------------------------

    def up(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        # A timeout lets down() stop the accept loop, then close the socket itself (closing a socket that
        # another thread blocks on in accept() does not wake it reliably).
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        self._acceptor.start()

    def down(self) -> None:
        if self._listener is not None:
            self._stopping.set()
            self._acceptor.join()
            self._listener.close()  # from here on, a connection to self.port is refused
            self._listener = None
        self.cut()

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for sock in pair:
                _close(sock)

    # --- forwarding ----------------------------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            client.settimeout(None)
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            pair = (client, server)
            with self._lock:
                self._pairs.add(pair)
                self.connections += 1
            for source, target in (pair, pair[::-1]):
                threading.Thread(target=self._pump, args=(source, target, pair), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, pair) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._pairs.discard(pair)
        for sock in pair:
            _close(sock)


def _close(sock: socket.socket) -> None:
    """Shut down first: it wakes the pump blocked in recv() on this socket, which close() alone may not."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
