"""A throwaway PgBouncer in transaction mode in front of the test run's PostgreSQL: every
client transaction may land on a different server connection, as in production."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bench.run import free_port

CONFIG = """\
[databases]
* = host=127.0.0.1 port={pg_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {dir}/userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = {dir}/pgbouncer.log
"""


def pgbouncer_bin() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)


class ThrowawayPgBouncer:
    def __init__(self, pg_port: int, pool_size: int = 10):
        self.dir = Path(tempfile.mkdtemp(prefix="fieldline-pgbouncer-"))
        self.port = free_port()
        (self.dir / "userlist.txt").write_text('"postgres" ""\n')
        (self.dir / "pgbouncer.ini").write_text(CONFIG.format(
            pg_port=pg_port, port=self.port, dir=self.dir, pool_size=pool_size))
        self.process = None

    def start(self) -> str:
        """Start it (as ``postgres`` when root: PgBouncer refuses to run as root) and return
        the URL base to put a database name after."""
        binary = pgbouncer_bin()
        if binary is None:
            raise RuntimeError("pgbouncer not found (apt-get install pgbouncer)")
        command = [binary, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            for path in self.dir.iterdir():
                shutil.chown(path, "postgres", "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        log = self.dir / "pgbouncer.log"
        self.stop()
        raise RuntimeError("pgbouncer did not start: " + (log.read_text() if log.exists() else ""))

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)
