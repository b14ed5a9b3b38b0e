"""Every message of the code and templates has a Vietnamese translation.

makemessages runs in a temporary copy of the sources and of locale/ (it adopts any `locale`
directory it walks past, so running it in the project would rewrite the tracked catalogue).
The check thus sees the msgids the code has now, whether or not someone ran makemessages;
every entry left untranslated or fuzzy is listed.
"""

import os
import shutil
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PROJECT_ROOT = Path(settings.BASE_DIR)
IGNORE = [".venv", ".venv/*", "node_modules", "node_modules/*", "tests", "tests/*", "staticfiles",
          "staticfiles/*", ".git", ".git/*"]


@pytest.fixture
def refreshed_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (Debian package gettext) is required: run scripts/setup")
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copytree(PROJECT_ROOT / "chuyende", copy / "chuyende",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(PROJECT_ROOT / "locale", copy / "locale")
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
        call_command("makemessages", locale=["vi"], ignore_patterns=IGNORE, verbosity=0,
                     no_obsolete=True)
        call_command("makemessages", locale=["vi"], domain="djangojs", ignore_patterns=IGNORE,
                     verbosity=0, no_obsolete=True)
    return copy / "locale" / "vi" / "LC_MESSAGES"


def _problems(po_path: Path) -> list[str]:
    if not po_path.exists():
        return []
    catalogue = polib.pofile(str(po_path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
        label = f"{entry.msgid!r}" + (f" (context {entry.msgctxt!r})" if entry.msgctxt else "")
        if entry.fuzzy:
            problems.append(f"fuzzy: {label} [{where}]")
        elif not entry.translated():
            problems.append(f"untranslated: {label} [{where}]")
    return problems


def test_every_message_has_a_vietnamese_translation(refreshed_catalogue: Path) -> None:
    po_path = refreshed_catalogue / "django.po"
    assert po_path.exists(), "makemessages produced no locale/vi/LC_MESSAGES/django.po"
    catalogue = polib.pofile(str(po_path))
    assert catalogue.metadata.get("Language") == "vi"
    assert len(catalogue) > 0, "no msgids found: makemessages ran on the wrong directory"
    problems = _problems(po_path) + _problems(refreshed_catalogue / "djangojs.po")
    assert not problems, (
        f"{len(problems)} message(s) lack a Vietnamese translation in locale/vi/LC_MESSAGES "
        "(run `manage.py makemessages -l vi` and fill them in):\n" + os.linesep.join(problems)
    )


@pytest.mark.parametrize(
    ("context", "msgid", "plain", "in_context"),
    [
        ("spreadsheet", "Header", "Phần đầu văn bản", "Tiêu đề cột"),  # a report's header vs a column's
        ("spreadsheet", "Format", "Hình thức", "Định dạng"),  # an event's format vs a cell's data format
        ("event", "Title", "Tiêu đề", "Tên hội nghị, buổi học tập"),  # a document's title vs an event's name
        ("account", "Active", "Đang sinh hoạt", "Đang hoạt động"),  # a member's status vs a user account's
    ],
)
def test_a_word_with_two_senses_has_a_translation_per_sense(context, msgid, plain, in_context) -> None:
    from django.utils import translation

    with translation.override("vi"):
        assert (translation.gettext(msgid), translation.pgettext(context, msgid)) == (plain, in_context)
