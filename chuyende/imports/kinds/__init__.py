"""One importer per kind of data (see `chuyende.imports.spec.KINDS`)."""

from importlib import import_module

from chuyende.imports.kinds.base import Context, Importer

IMPORTERS: dict[str, str] = {
    "units": "chuyende.imports.kinds.units:UnitImporter",
    "members": "chuyende.imports.kinds.members:MemberImporter",
    "member_returns": "chuyende.imports.kinds.returns:MemberReturnImporter",
    "non_member_returns": "chuyende.imports.kinds.returns:NonMemberReturnImporter",
    "pledge_returns": "chuyende.imports.kinds.returns:PledgeReturnImporter",
    "presenters": "chuyende.imports.kinds.events:PresenterImporter",
    "events": "chuyende.imports.kinds.events:EventImporter",
    "attendance": "chuyende.imports.kinds.events:AttendanceImporter",
    "outreach": "chuyende.imports.kinds.outreach:OutreachImporter",
    "materials": "chuyende.imports.kinds.materials:MaterialImporter",
    "pledges": "chuyende.imports.kinds.pledges:PledgeImporter",
}


def importer_for(kind: str, ctx: Context) -> Importer:
    module, name = IMPORTERS[kind].split(":")
    importer: Importer = getattr(import_module(module), name)(ctx)
    return importer
