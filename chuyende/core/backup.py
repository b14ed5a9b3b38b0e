"""Backup and restore of an installation: the database and the uploaded files, in one .tar.gz.

The archive holds `manifest.json` (application, format version, database vendor, applied migrations,
creation time, row counts of every table, the uploaded files), the database copy and `media/` (a copy of
settings.MEDIA_ROOT).

- SQLite: Python's online backup API (`sqlite3.Connection.backup`) copies the live database page by page
  into a consistent copy while the app keeps running; restoring copies the backup back into the live file
  the same way.
- PostgreSQL: `pg_dump --format=custom` inside a repeatable-read transaction whose snapshot it shares, so
  the row counts in the manifest are those of the dump. Restoring turns the dump into SQL with
  `pg_restore --clean --if-exists` and runs it with `psql` in one transaction: on any error the database
  is as before. The client programs of the server's major version are used
  (/usr/lib/postgresql/<major>/bin, else those on the PATH, refused if older than the server).

A backup restores only into the vendor it was taken from. Everything is checked before anything is
written: a file that is not a backup of this application, a backup of another vendor or of a newer
version of the application is refused with nothing changed.
"""

import datetime
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

APPLICATION = "chuyende"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
RESTORE_LOCK_TIMEOUT = "30s"  # a restore waits this long for the app's locks on a table, then fails


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the person running it."""


@dataclass(frozen=True)
class DatabaseFacts:
    """What the manifest tells of a database copy: rows per table and applied migrations per app."""

    row_counts: dict[str, int]
    migrations: dict[str, list[str]]


# --- backup ----------------------------------------------------------------------------------------------


def create_backup(*, output: Path) -> dict[str, Any]:
    """Writes the backup archive to `output` (replaced whole at the end) and returns its manifest."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        database_file = Path(work) / DATABASE_FILES[_vendor()]
        facts = _dump_database(database_file)
        media = _media_files()
        manifest = _manifest(facts, media)
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
            archive.add(database_file, arcname=database_file.name)
            for relative in media:
                archive.add(Path(settings.MEDIA_ROOT) / relative, arcname=f"{MEDIA_DIR}/{relative}")
        os.replace(partial, output)
    return manifest


def _vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {
            "vendor": connection.vendor})
    return connection.vendor


def _dump_database(target: Path) -> DatabaseFacts:
    if connection.vendor == "sqlite":
        _sqlite_copy(target)
        return _sqlite_facts(target)
    return _pg_dump(target)


def _manifest(facts: DatabaseFacts, media: list[str]) -> dict[str, Any]:
    root = Path(settings.MEDIA_ROOT)
    return {
        "application": APPLICATION,
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": connection.vendor, "file": DATABASE_FILES[connection.vendor]},
        "migrations": facts.migrations,
        "row_counts": facts.row_counts,
        "media": {"files": len(media), "bytes": sum((root / name).stat().st_size for name in media)},
    }


def _media_files() -> list[str]:
    """The uploaded files, as paths relative to MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- SQLite ----------------------------------------------------------------------------------------------


def _django_sqlite() -> sqlite3.Connection:
    """Django's own connection to the database (the test database too, even one in memory)."""
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _sqlite_copy(target: Path) -> None:
    copy = sqlite3.connect(target)
    try:
        _django_sqlite().backup(copy)
    finally:
        copy.close()


def _sqlite_facts(path: Path) -> DatabaseFacts:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {table: database.execute(f"SELECT COUNT(*) FROM {_quoted(table)}").fetchone()[0]
                  for table in tables}
        applied = list(database.execute("SELECT app, name FROM django_migrations")) if (
            "django_migrations" in tables) else []
    finally:
        database.close()
    return DatabaseFacts(row_counts=counts, migrations=_by_app(applied))


def _sqlite_restore(copy: Path) -> None:
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        source.backup(_django_sqlite())
    finally:
        source.close()


# --- PostgreSQL ------------------------------------------------------------------------------------------


def _pg_dump(target: Path) -> DatabaseFacts:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _facts_of(cursor)
        _run_pg("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
                f"--dbname={_pg_setting('NAME')}")
    return facts


def _pg_restore(dump: Path, *, manifest: dict[str, Any]) -> None:
    """The dump as SQL, run in one transaction: on any error the database is left as it was. Tables the
    backup does not have go too (made by later migrations, they would stop `migrate` making them again)."""
    with connection.cursor() as cursor:
        extra = sorted(set(connection.introspection.table_names(cursor)) - set(manifest["row_counts"]))
    connection.close()  # holds no lock while psql drops and makes the tables again
    first = dump.with_name("first.sql")
    statements = [f"SET lock_timeout = '{RESTORE_LOCK_TIMEOUT}';"]
    if extra:
        statements.append(f"DROP TABLE IF EXISTS {', '.join(map(connection.ops.quote_name, extra))} CASCADE;")
    first.write_text("\n".join(statements) + "\n", encoding="utf-8")
    script = dump.with_name("restore.sql")
    _run_pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", f"--file={script}",
            str(dump))
    _run_pg("psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
            f"--file={first}", f"--file={script}", f"--dbname={_pg_setting('NAME')}", "--output=/dev/null")


def _pg_setting(key: str) -> str:
    return str(connection.settings_dict.get(key) or "")


def _pg_connection_args() -> list[str]:
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if value := _pg_setting(key):
            args.append(f"{option}={value}")
    return args


def _pg_environment() -> dict[str, str]:
    environment = dict(os.environ)
    if password := _pg_setting("PASSWORD"):
        environment["PGPASSWORD"] = password
    if sslmode := connection.settings_dict.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = str(sslmode)
    return environment


def _run_pg(program: str, *args: str, capture: bool = False) -> str:
    connecting = [] if program == "pg_restore" else _pg_connection_args()
    result = subprocess.run([pg_program(program), *connecting, *args], env=_pg_environment(),
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s") % {
            "program": program, "error": result.stderr.strip()[-2000:]})
    return result.stdout if capture else ""


def pg_program(name: str) -> str:
    """The PostgreSQL client program of the server's major version (or newer)."""
    connection.ensure_connection()
    major = connection.pg_version // 10000  # type: ignore[attr-defined]
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = str(versioned) if versioned.is_file() else shutil.which(name)
    if found is None:
        raise BackupError(_(
            "%(program)s is not installed: install the PostgreSQL %(major)s client (Debian package "
            "postgresql-client-%(major)s).") % {"program": name, "major": major})
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"PostgreSQL\)\s+(\d+)", version)  # "pg_dump (PostgreSQL) 15.18 (Debian …)"
    if match is None or int(match.group(1)) < major:
        raise BackupError(_("%(program)s is older than the PostgreSQL %(major)s server: install the "
                            "PostgreSQL %(major)s client.") % {"program": found, "major": major})
    return found


# --- restore ---------------------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict[str, Any]:
    """The manifest of a backup of this application, or BackupError saying why the file is not one."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.loads(member.read().decode()) if member else None
    except (OSError, tarfile.TarError, KeyError, UnicodeDecodeError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or not _is_manifest(manifest):
        raise BackupError(_("%(file)s is not a backup of this application: nothing was changed.") % {
            "file": archive_path.name})
    if not isinstance(manifest.get("format"), int) or manifest["format"] > FORMAT_VERSION:
        raise BackupError(_("%(file)s was written by a newer version of the application: nothing was "
                            "changed.") % {"file": archive_path.name})
    return manifest


def _is_manifest(manifest: Any) -> bool:
    """Written by create_backup: our application's name and every part restore reads, well typed."""
    if not isinstance(manifest, dict) or manifest.get("application") != APPLICATION:
        return False
    try:
        datetime.datetime.fromisoformat(manifest["created_at"])
    except (KeyError, TypeError, ValueError):
        return False
    counts, migrations = manifest.get("row_counts"), manifest.get("migrations")
    return (isinstance(manifest.get("database"), dict) and isinstance(counts, dict)
            and all(isinstance(n, int) for n in counts.values()) and isinstance(migrations, dict)
            and all(isinstance(names, list) for names in migrations.values()))


def check_restorable(manifest: dict[str, Any]) -> None:
    """Refuses a backup of another database vendor or holding migrations this code does not know."""
    vendor = manifest["database"].get("vendor")
    if vendor != connection.vendor:
        raise BackupError(_(
            "This backup is of a %(backup)s database and the application now uses %(current)s: restore it "
            "into a %(backup)s database (see README, Backup and restore). Nothing was changed."
        ) % {"backup": VENDOR_NAMES.get(vendor, str(vendor)), "current": VENDOR_NAMES[_vendor()]})
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = sorted(f"{app}.{name}" for app, names in manifest["migrations"].items()
                     for name in names if (app, name) not in known)
    if unknown:
        raise BackupError(_(
            "This backup was taken by a newer version of the application (migrations %(names)s are "
            "unknown here): update the application first. Nothing was changed."
        ) % {"names": ", ".join(unknown[:5])})


def restore_backup(*, archive_path: Path) -> dict[str, Any]:
    """Replaces the database and the uploaded files with the backup's; returns its manifest."""
    manifest = read_manifest(archive_path)
    check_restorable(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with _unpacked(archive_path, near=media_root.parent) as unpacked:
        database_file = unpacked / DATABASE_FILES[connection.vendor]
        _check_copy(database_file, manifest)
        if connection.vendor == "sqlite":
            _sqlite_restore(database_file)
        else:
            _pg_restore(database_file, manifest=manifest)
        _replace_media(unpacked / MEDIA_DIR, media_root)
    return manifest


@contextmanager
def _unpacked(archive_path: Path, *, near: Path) -> Iterator[Path]:
    """The archive unpacked in a temporary folder beside the media folder (a move, not a copy, then)."""
    with tempfile.TemporaryDirectory(dir=near, prefix=".restore-") as work:
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                archive.extractall(work, filter="data")  # no absolute paths, links out or devices
        except (OSError, tarfile.TarError) as error:
            raise BackupError(_("%(file)s cannot be read (%(error)s): nothing was changed.") % {
                "file": archive_path.name, "error": error}) from error
        yield Path(work)


def _check_copy(database_file: Path, manifest: dict[str, Any]) -> None:
    """The database copy is there and whole (SQLite: its row counts are the manifest's)."""
    broken = _("The database copy in this backup is missing or damaged: nothing was changed.")
    if not database_file.is_file():
        raise BackupError(broken)
    if connection.vendor == "sqlite":
        try:
            counts = _sqlite_facts(database_file).row_counts
        except sqlite3.DatabaseError as error:
            raise BackupError(broken) from error
        if counts != manifest["row_counts"]:
            raise BackupError(broken)
    else:
        _run_pg("pg_restore", "--list", str(database_file), capture=True)


def _replace_media(unpacked_media: Path, media_root: Path) -> None:
    """MEDIA_ROOT holds exactly the backup's files afterwards."""
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if unpacked_media.is_dir():
        for child in unpacked_media.iterdir():
            shutil.move(str(child), media_root / child.name)


# --- shared ----------------------------------------------------------------------------------------------


def live_facts() -> DatabaseFacts:
    """Row counts and applied migrations of the database as it is now (what a restore must give back)."""
    with connection.cursor() as cursor:
        return _facts_of(cursor)


def _facts_of(cursor: Any) -> DatabaseFacts:
    counts = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT app, name FROM django_migrations")
    return DatabaseFacts(row_counts=counts, migrations=_by_app(cursor.fetchall()))


def _by_app(applied: list[tuple[str, str]]) -> dict[str, list[str]]:
    migrations: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        migrations.setdefault(app, []).append(name)
    return migrations


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def default_backup_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BACKUP_DIR) / f"chuyende-{stamp}.tar.gz"


def describe(manifest: dict[str, Any]) -> dict[str, Any]:
    """The figures a command prints of a backup."""
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    return {
        "created": timezone.localtime(created).strftime("%H:%M %d/%m/%Y"),
        "vendor": VENDOR_NAMES.get(manifest["database"]["vendor"], manifest["database"]["vendor"]),
        "tables": len(manifest["row_counts"]),
        "rows": sum(manifest["row_counts"].values()),
        "files": manifest.get("media", {}).get("files", 0),
    }
