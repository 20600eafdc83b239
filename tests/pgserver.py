"""A real PostgreSQL server for the tests: Debian's ``postgresql`` binaries, a fresh cluster in
a temporary folder, listening on 127.0.0.1 on a free port, stopped at the end.

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` user (which
Debian's package creates) through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER_PASSWORD = "postgres-test-only"


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (the newest installed version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    socket_dir: str

    def connect(self, dbname: str = "postgres", user: str = "postgres"):  # type: ignore[no-untyped-def]
        """A psycopg connection as ``user`` through the server's socket (trusted)."""
        import psycopg

        return psycopg.connect(host=self.socket_dir, port=self.port, user=user,
                               dbname=dbname, autocommit=True)


@contextmanager
def postgres_server() -> Iterator[Server]:
    """Start a throwaway PostgreSQL cluster; yield how to reach it; stop and delete it."""
    bin_dir = binaries()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="kt-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    (root / "pw").write_text(SUPERUSER_PASSWORD + "\n")
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        shutil.chown(root / "pw", "postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr or done.stdout}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
            "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={root / 'pw'}",
            "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
            "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c shared_buffers=16MB", "start")
        yield Server(port=port, socket_dir=str(sock))
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "-w", "stop"], capture_output=True, check=False,
                           timeout=60)
        shutil.rmtree(root, ignore_errors=True)
