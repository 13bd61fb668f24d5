"""Servers a test run starts for itself on free ports, so that it never touches what it was not given."""
import shutil
import socket
import subprocess
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

INSTALL_REDIS = "apt-get install -y redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of the run's own on a free port, without persistence: stopped and started again on
    the same port, it comes back empty, as a Redis restarted without AOF/RDB does."""

    def __init__(self, workdir):
        assert shutil.which("redis-server"), f"the Redis tests start their own redis-server ({INSTALL_REDIS})"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis.from_url(self.url)
        deadline = time.monotonic() + 10  # a readiness wait; the tests assert nothing about time
        try:
            while True:
                try:
                    client.ping()
                    return
                except RedisConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                    time.sleep(0.02)
        finally:
            client.close()

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait()
            self.process = None

    def connection(self) -> Redis:
        return Redis.from_url(self.url)
