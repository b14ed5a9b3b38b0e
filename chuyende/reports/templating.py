"""A report template (.docx with Jinja tags) filled in by docxtpl, and the check an uploaded one passes.

The data a template may use is `ReportContext`, a fixed set of documented fields; the default
template (`chuyende.reports.layout`) and every uploaded variant are rendered with it. Templates run in
Jinja's sandbox (no access to Python internals; `range`, `lipsum` and the `*`, `**` operators removed, so
a template cannot make unbounded text or loops): an uploaded file is data, not code.

`check_template` refuses, with a Vietnamese message naming the problem, a file that is not a .docx, a
Jinja syntax error (naming the paragraph and the tag), a field that `ReportContext` does not have (naming
it) and a template that fails when filled in with sample data.
"""

import dataclasses
import io
import math
import re
import zipfile
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, get_type_hints

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from chuyende.core.numbers import format_number

TEMPLATE_MAX_BYTES = 5 * 1_048_576  # an upload larger than this is refused
TEMPLATE_MAX_UNPACKED_BYTES = 50 * 1_048_576  # the parts of the .docx, unpacked (no zip bombs)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc and other OLE files


@dataclasses.dataclass(frozen=True)
class ResultParagraph:
    """One paragraph of section II as drafted: `{{ paragraph.text }}`, `{% if paragraph.heading %}`."""

    text: str
    heading: bool


@dataclasses.dataclass(frozen=True)
class ReportContext:
    """Every field a report template may use, each annotated with its meaning (shown on the templates
    page, `field_meanings`).

    Texts are ready to print (upper case where the form wants it, dates as dd/mm/yyyy); the sections
    the user writes are lists of paragraphs, one item a line of the form.
    """

    superior_body: Annotated[str, gettext_lazy(
        "Superior body, upper case (e.g. HUYỆN ỦY HÒA AN); may be empty")]
    issuing_body: Annotated[str, gettext_lazy("Issuing body, upper case (e.g. BAN TUYÊN GIÁO)")]
    number_and_symbol: Annotated[str, gettext_lazy("Number and symbol (e.g. 01-BC/BTGHU)")]
    place: Annotated[str, gettext_lazy("Place of issue (e.g. Hòa An)")]
    issued_on: Annotated[str, gettext_lazy("Date of the document, dd/mm/yyyy")]
    place_and_date: Annotated[str, gettext_lazy(
        "Place and date as the header prints them (e.g. Hòa An, ngày 31 tháng 3 năm 2024)")]
    summary: Annotated[str, gettext_lazy("Summary line under the title")]
    unit_name: Annotated[str, gettext_lazy("Name of the reporting unit on the day of the figures")]
    unit_code: Annotated[str, gettext_lazy("Code of the reporting unit")]
    campaign_title: Annotated[str, gettext_lazy("Title of the campaign")]
    as_of: Annotated[str, gettext_lazy("Day the figures are taken, dd/mm/yyyy")]
    is_draft: Annotated[bool, gettext_lazy("True while the report may still change (a draft)")]
    leadership: Annotated[list[str], gettext_lazy(
        "Section I (leadership and direction): a list of paragraphs")]
    results: Annotated[list[ResultParagraph], gettext_lazy(
        "Section II as drafted from the figures: a list of paragraphs, each with .text and .heading "
        "(true for the section heading and its numbered parts)")]
    results_footnotes: Annotated[list[str], gettext_lazy(
        "Notes of section II (the guiding documents cited), each starting with its mark (¹, ², …) as "
        "printed in the text")]
    results_note: Annotated[list[str], gettext_lazy(
        "Other results written by the unit: a list of paragraphs")]
    strengths: Annotated[list[str], gettext_lazy("Section III.1 (strengths): a list of paragraphs")]
    shortcomings: Annotated[list[str], gettext_lazy(
        "Section III.2 (shortcomings and their causes): a list of paragraphs")]
    tasks: Annotated[list[str], gettext_lazy(
        "Section IV (tasks ahead and recommendations): a list of paragraphs")]
    recipients: Annotated[list[str], gettext_lazy("Recipients (Nơi nhận), one line each")]
    signature_title: Annotated[list[str], gettext_lazy(
        "Signature title, upper case, one line each (e.g. T/M BAN THƯỜNG VỤ, BÍ THƯ)")]
    signer_name: Annotated[str, gettext_lazy("Name of the signer")]

    def as_dict(self) -> dict[str, Any]:
        """The template's variables: the fields by name (the paragraphs of section II kept as objects)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


CONTEXT_FIELDS: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(ReportContext))


def field_meanings() -> list[tuple[str, str]]:
    """(name, meaning) of every field, for the templates page."""
    hints = get_type_hints(ReportContext, include_extras=True)
    return [(name, str(hints[name].__metadata__[0])) for name in CONTEXT_FIELDS]


# Made-up values of every field, to try an uploaded template before it is accepted.
_SAMPLE = ReportContext(
    superior_body="HUYỆN ỦY MẪU", issuing_body="BAN TUYÊN GIÁO", number_and_symbol="01-BC/BTGHU",
    place="Mẫu", issued_on="31/03/2024", place_and_date="Mẫu, ngày 31 tháng 3 năm 2024",
    summary="Kết quả học tập", unit_name="Đảng bộ mẫu", unit_code="MAU", campaign_title="Chuyên đề",
    as_of="31/03/2024", is_draft=True, leadership=["Đoạn một.", "Đoạn hai."],
    results=[ResultParagraph("II. KẾT QUẢ", True), ResultParagraph("Có 10/12 đảng viên học tập.", False)],
    results_footnotes=["¹ Hướng dẫn số 01-HD/MAU."], results_note=["Ghi chú."], strengths=["Ưu điểm."],
    shortcomings=["Hạn chế."], tasks=["Nhiệm vụ."],
    recipients=["- Như trên,", "- Lưu."], signature_title=["TRƯỞNG BAN"], signer_name="Nguyễn Văn A",
)


def sample_contexts() -> tuple[ReportContext, ReportContext]:
    """Sample data with every condition true, then false (a final report, no superior body, the user's
    sections empty): an uploaded template must fill in with both."""
    sparse = dataclasses.replace(_SAMPLE, is_draft=False, superior_body="", leadership=[], results_note=[],
                                 strengths=[], shortcomings=[], tasks=[], recipients=[])
    return _SAMPLE, sparse


# --- the Jinja environment -------------------------------------------------------------------------------


class _Environment(SandboxedEnvironment):
    """The sandbox, without the operators and functions that make large text or long loops from nothing."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError(_("The operator “%(operator)s” cannot be used in a report template.")
                            % {"operator": operator})


def template_environment(*, strict: bool = False) -> SandboxedEnvironment:
    """HTML/XML escaping on (a value with "&" or "<" stays text); `strict` makes a missing attribute an
    error (the check of an upload) instead of an empty text (rendering a report)."""
    environment = _Environment(autoescape=True, undefined=StrictUndefined if strict else Undefined)
    for name in ("range", "lipsum"):
        environment.globals.pop(name, None)
    return environment


# --- rendering ---------------------------------------------------------------------------------------------


def render_template(
    template: bytes, context: ReportContext, *, strict: bool = False,
    properties: Mapping[str, str] | None = None,
) -> bytes:
    """The template filled in with the context, as .docx bytes, with the file's `properties` (title,
    author, language: python-docx's core properties) set. Raises jinja2's TemplateError (or what docxtpl
    raises on a broken document) when the template cannot be filled in."""
    document = DocxTemplate(io.BytesIO(template))
    environment = template_environment(strict=strict)
    document.render(context.as_dict(), environment, autoescape=True)
    core = document.docx.core_properties
    for name, value in (properties or {}).items():
        setattr(core, name, value)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# --- checking an upload ------------------------------------------------------------------------------------


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def too_large(size: int) -> ValidationError:
    """The refusal of a file of `size` bytes, larger than a template may be."""
    return _refuse(_("The file is %(size)s MB; the largest template accepted is %(limit)s MB.") % {
        # Rounded up, so a file just over the limit never reads as equal to it.
        "size": format_number(math.ceil(size * 10 / 1_048_576) / 10),
        "limit": format_number(TEMPLATE_MAX_BYTES // 1_048_576)})


def _check_package(content: bytes) -> None:
    if len(content) > TEMPLATE_MAX_BYTES:
        raise too_large(len(content))
    if content.startswith(OLE_SIGNATURE):
        raise _refuse(_(
            "The file is an old Word document (.doc). Open it in Word, choose “Save as”, type “Word "
            "Document (*.docx)” and upload the .docx file."))
    not_docx = _(
        "The file is not a Word document (.docx). Download the default template, change it in Word "
        "and upload it saved as .docx.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = {info.filename: info.file_size for info in package.infolist()}
    except (zipfile.BadZipFile, ValueError) as error:
        raise _refuse(not_docx) from error
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise _refuse(not_docx)
    if sum(names.values()) > TEMPLATE_MAX_UNPACKED_BYTES:
        raise _refuse(_("The document is too large once unpacked (more than %(limit)s MB).") % {
            "limit": format_number(TEMPLATE_MAX_UNPACKED_BYTES // 1_048_576)})
    try:
        Document(io.BytesIO(content))
    except Exception as error:  # a malformed part: lxml, python-docx and zipfile raise many kinds
        raise _refuse(not_docx) from error


def _parts(document: DocxTemplate) -> Iterator[tuple[str, str]]:
    """(where, patched XML) of each part docxtpl fills in: the body, then the headers and footers."""
    document.get_docx()
    yield _("the body of the document"), document.patch_xml(document.get_xml())
    for uri, where in ((document.HEADER_URI, _("a page header")), (document.FOOTER_URI, _("a page footer"))):
        for _key, part in document.get_headers_footers(uri):
            yield where, document.patch_xml(document.get_part_xml(part))


def _jinja_message(error: TemplateError) -> str:
    """Jinja's own message (English, naming the tag or token), without its final full stop."""
    return (error.message or str(error)).strip().rstrip(".")


def _paragraph_text(line: str) -> str:
    return re.sub(r"<[^>]+>", "", line).strip()


def _check_syntax(document: DocxTemplate, environment: SandboxedEnvironment) -> set[str]:
    """The names the template uses; a syntax error is refused naming the paragraph it is in."""
    used: set[str] = set()
    for where, xml in _parts(document):
        # One paragraph a line, as docxtpl renders it: the error's line is the paragraph.
        lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        try:
            parsed = environment.parse(lines)
        except TemplateSyntaxError as error:
            source = lines.splitlines()
            text = _paragraph_text(source[error.lineno - 1]) if 0 < error.lineno <= len(source) else ""
            raise _refuse(_(
                "The template has a syntax error in %(where)s, in the paragraph “%(paragraph)s”: "
                "%(error)s. Check that every {{ … }} and {%% … %%} tag is closed and that every “for” "
                "and “if” has its “endfor” and “endif”.") % {
                    "where": where, "paragraph": text[:200], "error": _jinja_message(error)}) from error
        used |= meta.find_undeclared_variables(parsed)
    return used


def check_template(content: bytes) -> None:
    """Refuses (ValidationError on "file", Vietnamese) a file that cannot serve as a report template."""
    _check_package(content)
    environment = template_environment(strict=True)
    document = DocxTemplate(io.BytesIO(content))
    used = _check_syntax(document, environment)
    # The same question through docxtpl's own reading of the whole document.
    try:
        used |= document.get_undeclared_template_variables(environment)
    except TemplateSyntaxError as error:
        raise _refuse(_("The template has a syntax error: %(error)s.") % {
            "error": _jinja_message(error)}) from error
    unknown = sorted(used - set(CONTEXT_FIELDS))
    if unknown:
        raise _refuse(_(
            "The template uses the field “%(field)s”, which is not in the report's data. The fields are: "
            "%(fields)s.") % {"field": "”, “".join(unknown), "fields": ", ".join(CONTEXT_FIELDS)})
    try:
        # Filled in with sample data, every condition true then false, and each result opened again: the
        # tags must leave a valid document either way.
        for sample in sample_contexts():
            Document(io.BytesIO(render_template(content, sample, strict=True)))
    except UndefinedError as error:
        attribute = re.search(r"has no attribute '([^']*)'", _jinja_message(error))
        if attribute is None:
            raise _refuse(_("The template cannot be filled in: %(error)s.") % {
                "error": _jinja_message(error)}) from error
        raise _refuse(_(
            "The template uses “.%(attribute)s”, which is not in the report's data (a paragraph of section "
            "II has .text and .heading).") % {"attribute": attribute.group(1)}) from error
    except TemplateError as error:
        raise _refuse(_("The template cannot be filled in: %(error)s.") % {
            "error": _jinja_message(error)}) from error
    except Exception as error:  # docxtpl and lxml on a document the tags leave malformed
        raise _refuse(_("The template cannot be filled in: %(error)s.") % {
            "error": str(error).rstrip(".")}) from error
