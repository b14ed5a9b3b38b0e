from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuyende.demo.writers import MAX_CLIENTS, MAX_SECONDS, LoadError, run_load


class Command(BaseCommand):
    help = (
        "Drive concurrent writers (events with attendance, member returns, one shared draft report) "
        "against a running server on this machine through the REST API, then read every acknowledged "
        "write back. Prints writes, conflicts (409), client and server errors and lost updates; fails "
        "if any server error or lost update was seen. It writes into that server's database: use a "
        "scratch copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True,
                            help="the server, e.g. http://127.0.0.1:8000 (loopback addresses only)")
        parser.add_argument("--clients", type=int, default=20, help=f"concurrent writers (1-{MAX_CLIENTS})")
        parser.add_argument("--seconds", type=float, default=30,
                            help=f"how long they write (at most {MAX_SECONDS})")
        parser.add_argument("--user", required=True, help="a user who may write in their subtree (officer)")
        parser.add_argument("--password", required=True)
        parser.add_argument("--campaign", default="", help="campaign code (default: the first one listed)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_load(url=options["url"], username=options["user"], password=options["password"],
                              clients=options["clients"], seconds=options["seconds"],
                              campaign_code=options["campaign"])
        except LoadError as error:
            raise CommandError(str(error)) from error
        for line in result.lines():
            self.stdout.write(line)
        if result.server_errors or result.lost:
            raise CommandError(f"{result.server_errors} server errors, {len(result.lost)} lost updates.")
