import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils import translation

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.imports import engine, spec
from chuyende.imports.services import check_import_file_size, check_import_upload, problem_dict

PROGRESS_EVERY = 1.0  # seconds between two progress lines


class _Progress:
    """Prints rows done / total: on one rewritten line on a terminal, else a line a second."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0
        self.shown = False
        self.printed: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if (done, total) == self.printed or (done < total and now - self.last < PROGRESS_EVERY):
            return
        self.last = now
        self.printed = (done, total)
        percent = done * 100 // total if total else 0
        text = f"{done:,}/{total:,} rows ({percent}%)".replace(",", ".")
        if self.tty:
            self.stream.write(f"\r{text}", style_func=str, ending="")
            self.shown = True
        else:
            self.stream.write(text, style_func=str)
        self.stream.flush()

    def end(self) -> None:
        if self.shown:
            self.stream.write("")
            self.stream.flush()


def user_named(username: str) -> User:
    user = User.objects.select_related("unit").filter(username=username).first()
    if user is None:
        raise CommandError(f"No user is named {username!r}.")
    if user.unit is None:
        raise CommandError(f"The user {username!r} has no unit, so no data to import or export.")
    return user


def campaign_coded(code: str | None) -> Campaign | None:
    if not code:
        return None
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise CommandError(f"No campaign has the code {code!r}.")
    return campaign


def known_kind(kind: str) -> str:
    if kind not in spec.KINDS:
        raise CommandError(f"Unknown kind {kind!r}; one of: {', '.join(spec.KINDS)}.")
    return kind


class Command(BaseCommand):
    help = ("Import a filled template (.xlsx or UTF-8 .csv) as a user, all or nothing: with the user's "
            "scope and role, through the same checks as the import page. Exit code 1 with the "
            "problems listed if anything is wrong; nothing is then written.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join(spec.KINDS)}")
        parser.add_argument("file", help="path of the .xlsx or .csv file")
        parser.add_argument("--user", required=True, help="username whose scope and role apply")
        parser.add_argument("--campaign", help="campaign code for rows whose campaign cell is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._import(**options)

    def _import(self, **options: Any) -> None:
        kind = known_kind(options["kind"])
        user = user_named(options["user"])
        campaign = campaign_coded(options["campaign"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            check_import_file_size(path)  # from its size on disk, before it is opened
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        # Progress goes to stderr, so stdout carries only the outcome.
        progress = _Progress(self.stderr)
        with path.open("rb") as handle:
            try:
                check_import_upload(File(handle, name=path.name))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            result = engine.run_import(actor=user, kind=kind, file=handle, filename=path.name,
                                       progress=progress, campaign=campaign)
        progress.end()
        if result.problems:
            for problem in map(problem_dict, result.problems):
                where = ", ".join(part for part in (
                    problem["sheet"], f"row {problem['row']}" if problem["row"] else "", problem["column"],
                ) if part)
                value = f" [{problem['value']}]" if problem["value"] not in (None, "") else ""
                self.stderr.write(f"{where}{value}: {problem['message']}" if where else problem["message"])
            raise CommandError(f"{len(result.problems)} problem(s) in {path.name}; nothing was written.")
        self.stdout.write(
            f"Imported {path.name}: {result.rows} rows; created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}."
        )
