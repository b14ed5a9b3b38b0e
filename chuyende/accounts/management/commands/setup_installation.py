"""`manage.py setup_installation`: levels, top unit and first administrator of an empty installation,
by the same service as the first-run page (`/bat-dau/`)."""

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuyende.accounts.services import installation_setup
from chuyende.organisation.models import Unit


class Command(BaseCommand):
    help = (
        "Set up an empty installation: the level names, the top unit and its first administrator. "
        "The password is read from the variable named by --admin-password-env, or asked for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--levels", required=True, help='level names from the top, e.g. "Tỉnh,Xã,Chi bộ"')
        parser.add_argument("--root-code", required=True)
        parser.add_argument("--root-name", required=True)
        parser.add_argument("--root-kind", default=Unit.Kind.PARTY_COMMITTEE, choices=Unit.Kind.values)
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-full-name", required=True)
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--admin-password-env", metavar="VAR",
                            help="name of an environment variable holding the password (preferred)")
        parser.add_argument("--admin-password",
                            help="the password itself, for scripts only: it stays in the shell history")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="never ask: fail if no password is given")

    def _password(self, options: dict[str, Any]) -> str:
        if options["admin_password_env"]:
            value = os.environ.get(options["admin_password_env"])
            if not value:
                raise CommandError(f"The variable {options['admin_password_env']} is not set or is empty.")
            return value
        if options["admin_password"]:
            return str(options["admin_password"])
        if not options.get("interactive", True):
            raise CommandError("Give --admin-password-env VAR (or --admin-password) when not interactive.")
        first = getpass.getpass("Administrator's password: ")
        if first != getpass.getpass("The same password again: "):
            raise CommandError("The two passwords differ. Nothing was written.")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options)
        try:
            admin = installation_setup(
                levels=options["levels"].split(","), root_code=options["root_code"],
                root_name=options["root_name"], root_kind=options["root_kind"],
                admin_username=options["admin_username"], admin_full_name=options["admin_full_name"],
                admin_email=options["admin_email"], admin_password=password,
            )
        except ValidationError as error:
            raise CommandError(" ".join(_messages(error)) + " Nothing was written.") from error
        assert admin.unit is not None
        self.stdout.write(f"Installation set up: top unit {admin.unit.code} ({admin.unit.name}), "
                          f"administrator {admin.username}. Sign in at /dang-nhap/.")


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {text}" for field, texts in error.message_dict.items() for text in texts]
    return list(error.messages)
