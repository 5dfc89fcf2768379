"""DICOM header as rows for a tag browser, with patient-identifying fields flagged."""

from __future__ import annotations

from typing import Any

from denoscope.core.io.study import TagRow
from denoscope.core.privacy import IDENTIFYING_KEYWORDS as _IDENTIFYING_KEYWORDS

#: Keywords whose values identify a patient, a person, an institution or a device
#: (the privacy policy's list, :data:`denoscope.core.privacy.IDENTIFYING_KEYWORDS`).
IDENTIFYING_KEYWORDS: frozenset[str] = _IDENTIFYING_KEYWORDS

_MAX_VALUE_CHARS = 200
_MAX_ROWS = 5000
_BINARY_VRS = frozenset({"OB", "OW", "OF", "OD", "OL", "OV", "UN"})


def _value_text(element: Any) -> str:
    """Return an element's value as short text."""
    if element.VR in _BINARY_VRS or element.keyword in {"PixelData", "FloatPixelData"}:
        value = element.value
        size = len(value) if isinstance(value, bytes | bytearray) else 0
        return f"<{element.VR}, {size} bytes>"
    try:
        text = str(element.value)
    except (ValueError, TypeError, UnicodeError) as exc:
        text = f"<unreadable value: {exc}>"
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return text


def tag_rows(dataset: Any, *, include_file_meta: bool = True) -> list[TagRow]:
    """Flatten a pydicom dataset into tag-browser rows.

    Sequences are walked; nested rows carry their path in ``tag``. At most
    5000 rows are returned (enhanced multi-frame headers can be huge).

    Parameters
    ----------
    dataset : pydicom.Dataset
        The header.
    include_file_meta : bool, optional
        Also list the group 0002 file meta information.

    Returns
    -------
    list of TagRow
        One row per element, in file order.
    """
    rows: list[TagRow] = []

    def walk(ds: Any, prefix: str, identifying_parent: bool) -> None:
        for element in ds:
            if len(rows) >= _MAX_ROWS:
                return
            try:
                keyword = element.keyword or ""
                vr = str(element.VR)
            except (KeyError, ValueError):
                keyword, vr = "", "UN"
            tag = f"{prefix}({element.tag.group:04X},{element.tag.element:04X})"
            identifying = identifying_parent or keyword in IDENTIFYING_KEYWORDS
            if vr == "SQ":
                items = element.value or []
                rows.append(
                    TagRow(tag, keyword, vr, f"<sequence of {len(items)} item(s)>", identifying)
                )
                for index, item in enumerate(items):
                    walk(item, f"{tag}[{index}].", identifying)
            else:
                rows.append(TagRow(tag, keyword, vr, _value_text(element), identifying))

    if include_file_meta and getattr(dataset, "file_meta", None) is not None:
        walk(dataset.file_meta, "", False)
    walk(dataset, "", False)
    return rows
