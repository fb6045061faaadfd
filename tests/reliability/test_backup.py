"""`qms backup` while the app serves, `qms restore` into an empty place: every table,
every file and the trail come back the same."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlmodel import SQLModel

from qms.config import Settings
from qms.db import make_engine
from tests import figures
from tests.conftest import ON_POSTGRES, POSTGRES_URL

BACKUP = (
    "round trip: {tables} tables ({rows} rows) and {files} files compared equal, "
    "trail verified; {tampered} tampered archives refused"
)


def _tables(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in conn.execute(select(table)).all())
            for table in SQLModel.metadata.sorted_tables
        }


def _files(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def empty_target(tmp_path):
    """Settings for an empty data dir and, on PostgreSQL, an empty database."""
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    if not ON_POSTGRES:
        yield Settings(data_dir=data_dir, secret_key="test-secret")
        return
    name = f"qms_restore_{uuid.uuid4().hex[:10]}"
    server = POSTGRES_URL.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Settings(data_dir=data_dir, database_url=f"{server}/{name}", secret_key="test-secret")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_every_table_file_and_the_trail(
    world, cli, settings, engine, empty_target, tmp_path
):
    api = world.api(world.admin)
    for n in range(5):
        api.post("/api/v1/departments", json={"code": f"P{n}", "name": f"Phòng {n}"})
    (settings.files_dir / "ab").mkdir(parents=True)
    (settings.files_dir / "ab" / "abcdef").write_bytes(b"%PDF-1.7 evidence")
    archive = tmp_path / "qms-backup.tar.gz"

    code, output = cli("backup", str(archive))
    assert code == 0, output
    assert archive.exists() and "files" in output

    env = {
        "QMS_DATA_DIR": str(empty_target.data_dir),
        "QMS_DATABASE_URL": empty_target.database_url or "",
    }
    code, output = cli("restore", str(archive), env_extra=env)
    assert code == 0, output
    restored = make_engine(empty_target, pool=False)
    try:
        tables = _tables(restored)
        assert tables == _tables(engine)
        assert _files(empty_target.files_dir) == _files(settings.files_dir)
    finally:
        restored.dispose()
    figures.add(
        "backup",
        BACKUP,
        tables=len(tables),
        rows=sum(len(rows) for rows in tables.values()),
        files=len(_files(settings.files_dir)),
    )
    code, output = cli("trail", "verify", env_extra=env)
    assert code == 0 and "trail intact" in output

    # Restoring over records is refused: nothing is overwritten.
    code, output = cli("restore", str(archive), env_extra=env)
    assert code == 1 and "empty" in output


def test_a_tampered_archive_is_refused(world, cli, settings, empty_target, tmp_path):
    import io
    import tarfile

    archive = tmp_path / "b.tar.gz"
    (settings.files_dir / "evidence").write_bytes(b"original")
    assert cli("backup", str(archive))[0] == 0
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/evidence":
                data = b"altered!"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    env = {
        "QMS_DATA_DIR": str(empty_target.data_dir),
        "QMS_DATABASE_URL": empty_target.database_url or "",
    }
    code, output = cli("restore", str(tampered), env_extra=env)
    assert code == 1 and "does not match its manifest" in output
    figures.add("backup", BACKUP, tampered=1)


def test_a_tampered_database_in_an_archive_is_refused(world, cli, settings, empty_target, tmp_path):
    import io
    import json
    import tarfile

    archive = tmp_path / "b.tar.gz"
    assert cli("backup", str(archive))[0] == 0
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        members = {m.name: m for m in source.getmembers()}
        manifest = json.loads(source.extractfile(members["manifest.json"]).read())
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == manifest["database"]["name"]:
                data += b"-- one more line\n"  # bytes added to the database's image
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    env = {
        "QMS_DATA_DIR": str(empty_target.data_dir),
        "QMS_DATABASE_URL": empty_target.database_url or "",
    }
    code, output = cli("restore", str(tampered), env_extra=env)
    assert code == 1 and "database does not match its manifest" in output
    figures.add("backup", BACKUP, tampered=1)
    assert not any(p.is_file() for p in empty_target.data_dir.rglob("*"))
