"""`{% export_links %}`: the "Download Excel" and "Download CSV" links of a list page.

The links keep the page's query string (its filters) without the page number, and add
`export=xlsx|csv` (and `table=` on pages that list several tables), which the list view answers
with the file of every row it lists.
"""

from typing import Any

from django import template
from django.http import QueryDict

from chuyende.exports.tables import EXPORT_PARAMETER, FORMATS, TABLE_PARAMETER

register = template.Library()


def export_query(query: QueryDict, fmt: str, table: str = "") -> str:
    """The query string of the export link: the filters kept, page numbers dropped."""
    kept = query.copy()
    for key in list(kept):
        if key in {EXPORT_PARAMETER, TABLE_PARAMETER, "page"} or key.endswith("_page"):
            del kept[key]
    kept[EXPORT_PARAMETER] = fmt
    if table:
        kept[TABLE_PARAMETER] = table
    return str(kept.urlencode())


@register.inclusion_tag("exports/links.html", takes_context=True)
def export_links(context: template.Context, table: str = "") -> dict[str, Any]:
    request = context.get("request")
    query = request.GET if request is not None else QueryDict()
    return {"links": {fmt: export_query(query, fmt, table) for fmt in FORMATS}}
