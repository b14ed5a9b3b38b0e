"""Backup and restore (manage.py backup / restore) on the database the tests run on, SQLite or PostgreSQL
(set DATABASE_URL): a backup, changes, a restore give back the figures, every table's rows and the
uploaded files; a file that is not a backup of this application changes nothing.

The commands work on the test database itself (connection.settings_dict), so these tests commit
(transactional_db): pg_dump and psql are other connections and see only committed rows.
"""

import datetime
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chuyende.core.backup import FORMAT_VERSION, MANIFEST, live_facts
from chuyende.events.models import Event
from chuyende.events.services import event_delete
from chuyende.figures.rollup import unit_figures
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.services import material_transfer_create
from chuyende.members.services import member_create
from chuyende.organisation.models import Unit
from chuyende.returns.models import MemberReturn
from chuyende.returns.services import member_return_save
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = datetime.date(2024, 3, 31)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def media_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def upload(campaign, name: str, content: bytes) -> MaterialTransfer:
    hb = Unit.objects.get(code="BN.HA.HB")
    return material_transfer_create(
        actor=None, campaign=campaign, sender=hb, recipient=hb, item="digital", quantity=1,
        sent_on=AS_OF, attachment=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )


def figures(campaign):
    return [unit_figures(unit=Unit.objects.get(code=code), campaign=campaign, as_of=AS_OF)
            for code in ("BN", "BN.HA", "BN.HA.HB")]


def backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", "--output", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path) -> str:
    out = io.StringIO()
    call_command("restore", str(path), "--yes", stdout=out)
    return out.getvalue()


def change_everything(campaign, media: Path) -> None:
    """Deletes an event, adds a member, changes a return, uploads a file (and removes the old one)."""
    event_delete(actor=None, event=Event.objects.filter(campaign=campaign).order_by("pk")[0])
    hb_cell = Unit.objects.filter(tracking=Unit.Tracking.INDIVIDUAL, path__startswith=Unit.objects.get(
        code="BN.HA.HB").path).exclude(code="BN.HA.HB").order_by("path")[0]
    member_create(actor=None, unit=hb_cell, code="BK-NEW-1", full_name="Nguyễn Văn Mới", sex="male",
                  birth_year=1990, membership="full")
    changed = MemberReturn.objects.filter(campaign=campaign).order_by("pk").first()
    assert changed is not None
    member_return_save(actor=None, campaign=campaign, unit=changed.unit, as_of=changed.as_of,
                       members_total=changed.members_total, exempt=changed.exempt, away=changed.away,
                       studied=changed.studied - 1)
    upload(campaign, "moi.pdf", b"%PDF-1.4 new")
    next(media.rglob("truoc.pdf")).unlink()


def test_backup_change_restore_gives_back_figures_rows_and_files(scenario, media, tmp_path):
    upload(scenario, "truoc.pdf", b"%PDF-1.4 before")
    before = (figures(scenario), live_facts().row_counts, media_files(media))
    archive = tmp_path / "sao-luu.tar.gz"
    printed = backup(archive)
    assert "sao-luu.tar.gz" in printed

    change_everything(scenario, media)
    assert figures(scenario) != before[0]
    assert live_facts().row_counts != before[1] and media_files(media) != before[2]

    printed = restore(archive)
    assert (figures(scenario), live_facts().row_counts, media_files(media)) == before
    assert translated("Restored the backup of %(created)s: %(tables)d tables, %(rows)d rows, "
                      "%(files)d uploaded files.").split("%")[0] in printed


def test_the_manifest_tells_what_the_backup_holds(scenario, media, tmp_path):
    upload(scenario, "truoc.pdf", b"%PDF-1.4 before")
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.loads(opened.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    facts = live_facts()
    assert manifest["application"] == "chuyende" and manifest["format"] == FORMAT_VERSION
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["row_counts"] == facts.row_counts and len(manifest["row_counts"]) > 20
    assert manifest["migrations"] == facts.migrations
    assert "0002_login_actions" in manifest["migrations"]["audit"]
    assert manifest["media"]["files"] == 1
    assert datetime.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    assert manifest["database"]["file"] in names
    assert any(name.startswith("media/materials/") and name.endswith(".pdf") for name in names)


def not_a_backup(tmp_path: Path, manifest: dict | None, name: str = "khac.tar.gz") -> Path:
    path = tmp_path / name
    with tarfile.open(path, "w:gz") as archive:
        if manifest is not None:
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(scenario, media, tmp_path):
    upload(scenario, "truoc.pdf", b"%PDF-1.4 before")
    before = (live_facts().row_counts, media_files(media))
    text = tmp_path / "ghi-chu.tar.gz"
    text.write_text("không phải bản sao lưu", encoding="utf-8")
    candidates = [
        text,
        not_a_backup(tmp_path, None, "rong.tar.gz"),
        not_a_backup(tmp_path, {"application": "other", "format": 1, "database": {}, "row_counts": {}}),
    ]
    for candidate in candidates:
        with pytest.raises(CommandError) as refused:
            restore(candidate)
        assert str(refused.value) == translated(
            "%(file)s is not a backup of this application: nothing was changed.") % {"file": candidate.name}
        assert "không phải là bản sao lưu" in str(refused.value)
    assert (live_facts().row_counts, media_files(media)) == before


def rewritten(archive: Path, target: Path, **changes: object) -> Path:
    """A copy of a real backup with its manifest changed."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == MANIFEST:
                manifest = json.loads(data)
                manifest.update(changes)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def test_a_backup_of_another_vendor_or_a_newer_version_is_refused(scenario, media, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    before = live_facts().row_counts
    foreign = rewritten(archive, tmp_path / "khac.tar.gz", database={"vendor": other, "file": "x"})
    with pytest.raises(CommandError, match="README"):
        restore(foreign)
    newer = rewritten(archive, tmp_path / "moi.tar.gz", migrations={"audit": ["0099_from_the_future"]})
    with pytest.raises(CommandError, match=r"audit\.0099_from_the_future"):
        restore(newer)
    future = rewritten(archive, tmp_path / "dinh-dang.tar.gz", format=FORMAT_VERSION + 1)
    with pytest.raises(CommandError):
        restore(future)
    assert live_facts().row_counts == before


def test_restore_without_yes_asks_and_refuses_without_a_terminal(scenario, media, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
