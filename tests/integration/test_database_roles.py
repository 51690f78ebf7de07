"""The database Job's script against a REAL Postgres: each deployment's role opens only its own
database, databases made before roles existed are handed over, and re-running is harmless.

Postgres comes from `LANGSMITH_POSTGRES_BIN` (a directory with `initdb`, `pg_ctl`, `psql`), else
the newest `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package, which `.ci/run` installs).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.database_job import CREATE_DATABASES

pytestmark = pytest.mark.integration

ADMIN = "langsmith"
ADMIN_PASSWORD = "admin-password-0123456789"


def postgres_bin() -> Path:
    configured = os.environ.get("LANGSMITH_POSTGRES_BIN")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    pytest.fail(
        "no Postgres server binaries: install Debian's 'postgresql' package or set "
        "LANGSMITH_POSTGRES_BIN to a directory with initdb, pg_ctl and psql",
        pytrace=False,
    )


def _as_postgres(command: list[str]) -> list[str]:
    """Postgres refuses to run as root: drop to the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, root: Path) -> None:
        self.root, self.bin, self.port = root, postgres_bin(), _free_port()

    def start(self) -> Server:
        data, pwfile = self.root / "data", self.root / "pwfile"
        pwfile.write_text(ADMIN_PASSWORD)
        if os.geteuid() == 0:
            uid = pwd.getpwnam("postgres").pw_uid
            for path in (self.root, pwfile):
                os.chown(path, uid, -1)
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    ADMIN,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [
                *_as_postgres([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-w"]),
                "-l",
                str(self.root / "log"),
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "stop"]),
            check=False,
            capture_output=True,
        )

    def psql(
        self, user: str, password: str, database: str, sql: str
    ) -> subprocess.CompletedProcess:
        psql = shutil.which("psql") or str(self.bin / "psql")
        return subprocess.run(
            [
                psql,
                "-X",
                "-tA",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            env={**os.environ, "PGPASSWORD": password},
            capture_output=True,
            text=True,
            check=False,
        )

    def run_job(self, mounts: Path, databases: list[str]) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": ADMIN,
            "PGSSLMODE": "disable",
            "ADMIN_DIR": str(mounts / "admin"),
            "ROLES_DIR": str(mounts / "roles"),
            "DATABASES": " ".join(databases),
            "PATH": f"{self.bin}:{os.environ.get('PATH', '')}",
        }
        return subprocess.run(
            ["/bin/sh", "-c", CREATE_DATABASES], env=env, capture_output=True, text=True
        )


@pytest.fixture
def server() -> Iterator[Server]:
    # Its own directory outside pytest's (mode 0700 for root): the postgres user owns it.
    root = Path(tempfile.mkdtemp(prefix="lsdp-postgres-"))
    running = Server(root).start()
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(root, ignore_errors=True)


def mounts(tmp_path: Path, roles: dict[str, str]) -> Path:
    """What the Job's Secret volumes hold: the admin password and one file per role."""
    base = tmp_path / "mounts"
    (base / "admin").mkdir(parents=True, exist_ok=True)
    (base / "roles").mkdir(exist_ok=True)
    (base / "admin" / "POSTGRES_PASSWORD").write_text(ADMIN_PASSWORD)
    for role, password in roles.items():
        (base / "roles" / role).write_text(password)
    return base


def test_each_deployment_opens_only_its_own_database(server, tmp_path):
    roles = {"support_bot": "support-pw-1", "research_agent": "research-pw-1"}
    done = server.run_job(mounts(tmp_path, roles), sorted(roles))
    assert done.returncode == 0, done.stderr
    created = server.psql("support_bot", "support-pw-1", "support_bot", "CREATE TABLE t (a int)")
    assert created.returncode == 0, created.stderr
    other = server.psql("support_bot", "support-pw-1", "research_agent", "SELECT 1")
    assert other.returncode != 0
    assert "CONNECT privilege" in other.stderr
    roles_row = server.psql(
        ADMIN,
        ADMIN_PASSWORD,
        "postgres",
        "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'support_bot'",
    )
    assert roles_row.stdout.strip() == "f|f|f"


def test_a_database_made_before_roles_is_handed_over_and_reruns_are_harmless(server, tmp_path):
    # The layout of earlier versions: the deployment's database and tables owned by the admin.
    for sql, database in (
        ("CREATE DATABASE support_bot", "postgres"),
        (
            "CREATE TABLE threads (id serial PRIMARY KEY, v text); INSERT INTO threads (v) "
            "VALUES ('kept')",
            "support_bot",
        ),
    ):
        assert server.psql(ADMIN, ADMIN_PASSWORD, database, sql).returncode == 0
    first = server.run_job(mounts(tmp_path, {"support_bot": "pw-a"}), ["support_bot"])
    assert first.returncode == 0, first.stderr
    again = server.run_job(mounts(tmp_path, {"support_bot": "pw-a"}), ["support_bot"])
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert again.stderr == ""
    used = server.psql(
        "support_bot",
        "pw-a",
        "support_bot",
        "INSERT INTO threads (v) VALUES ('new'); ALTER TABLE threads ADD COLUMN w int; "
        "SELECT string_agg(v, ',' ORDER BY id) FROM threads",
    )
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip().splitlines()[-1] == "kept,new"


def test_a_new_password_file_rotates_the_role(server, tmp_path):
    assert server.run_job(mounts(tmp_path, {"bot": "old-pw"}), ["bot"]).returncode == 0
    assert server.run_job(mounts(tmp_path, {"bot": "new-pw"}), ["bot"]).returncode == 0
    assert server.psql("bot", "old-pw", "bot", "SELECT 1").returncode != 0
    assert server.psql("bot", "new-pw", "bot", "SELECT 1").returncode == 0


def test_removing_a_deployment_keeps_its_database_and_role(server, tmp_path):
    """The stack never drops data: a deployment removed from the topology leaves its database,
    and one re-created under the same name reattaches to it (README: "Removing a deployment
    keeps its database")."""
    roles = {"bot": "bot-pw", "other": "other-pw"}
    assert server.run_job(mounts(tmp_path, roles), ["bot", "other"]).returncode == 0
    assert server.psql("bot", "bot-pw", "bot", "CREATE TABLE kept (a int)").returncode == 0
    assert server.run_job(mounts(tmp_path, roles), ["other"]).returncode == 0  # bot removed
    again = server.psql("bot", "bot-pw", "bot", "SELECT count(*) FROM kept")
    assert again.returncode == 0, again.stderr
