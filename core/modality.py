"""The one modality vocabulary: :class:`Modality`, which modalities have models, units.

Every module that names a modality uses these values (``"mri"``, ``"ct"``,
``"xray"``, ``"unknown"``). :class:`Modality` is a :class:`~enum.StrEnum`, so a
member equals its string (``Modality.CT == "ct"``) and JSON writes it as the
plain string.
"""

from __future__ import annotations

from enum import StrEnum

from denoscope.core.errors import ParameterError


class Modality(StrEnum):
    """The model family of a study or a model.

    ``UNKNOWN`` is a study whose modality cannot be told (a plain PNG, a DICOM
    Modality Denoscope has no model for). ``ANY`` is only for a model card: a
    model not specific to one modality.
    """

    MRI = "mri"
    CT = "ct"
    XRAY = "xray"
    UNKNOWN = "unknown"
    ANY = "any"

    @classmethod
    def parse(cls, value: str | Modality | None, *, allow: tuple[Modality, ...] = ()) -> Modality:
        """Read a modality from text (case and surrounding space ignored; ``"x-ray"`` accepted).

        Parameters
        ----------
        value : str or Modality or None
            The text; ``None`` or ``""`` is :attr:`UNKNOWN`.
        allow : tuple of Modality, optional
            The accepted values (default: all).

        Returns
        -------
        Modality

        Raises
        ------
        ParameterError
            Not a modality, or not one of ``allow``.
        """
        text = "unknown" if value is None or str(value).strip() == "" else str(value)
        key = text.strip().lower().replace("-", "")
        try:
            modality = cls(key)
        except ValueError:
            modality = None
        accepted = allow or tuple(cls)
        if modality is None or modality not in accepted:
            raise ParameterError(
                "unknown modality",
                got=repr(value),
                expected=" or ".join(repr(str(m)) for m in accepted),
            )
        return modality

    @classmethod
    def from_dicom(cls, dicom_modality: str | None) -> Modality:
        """The model family of a DICOM Modality value (``"CT"`` -> CT, ``"DX"`` -> XRAY...)."""
        if not dicom_modality:
            return cls.UNKNOWN
        return DICOM_MODALITIES.get(str(dicom_modality).strip().upper(), cls.UNKNOWN)

    @property
    def has_model(self) -> bool:
        """Whether Denoscope ships (or trains) a model for this modality."""
        return self in MODEL_MODALITIES

    @property
    def label(self) -> str:
        """Display name: ``"CT"``, ``"MRI"``, ``"X-ray"``, ``"unknown"``, ``"any"``."""
        return _LABELS[self]


#: Modalities that have a model of their own, in menu order.
MODEL_MODALITIES: tuple[Modality, ...] = (Modality.CT, Modality.MRI, Modality.XRAY)

#: Modalities a study can have (what the loader returns).
STUDY_MODALITIES: tuple[Modality, ...] = (*MODEL_MODALITIES, Modality.UNKNOWN)

#: Modalities a model card can name.
CARD_MODALITIES: tuple[Modality, ...] = (*MODEL_MODALITIES, Modality.ANY)

#: DICOM Modality values mapped to a model family; anything else is UNKNOWN.
DICOM_MODALITIES: dict[str, Modality] = {
    "MR": Modality.MRI,
    "CT": Modality.CT,
    "CR": Modality.XRAY,
    "DX": Modality.XRAY,
    "DR": Modality.XRAY,
    "RG": Modality.XRAY,
    "MG": Modality.XRAY,
    "PX": Modality.XRAY,
}

_LABELS = {
    Modality.MRI: "MRI",
    Modality.CT: "CT",
    Modality.XRAY: "X-ray",
    Modality.UNKNOWN: "unknown",
    Modality.ANY: "any",
}


def pixel_unit(modality: str, *, is_dicom: bool = True) -> str:
    """The unit of a study's pixel values, the one rule for every label and sidecar.

    Parameters
    ----------
    modality : str
        The study's modality.
    is_dicom : bool, optional
        Whether the values came from DICOM (a CT PNG has no Hounsfield scale).

    Returns
    -------
    str
        ``"HU"`` for DICOM CT, else ``"a.u."`` (arbitrary units).
    """
    return "HU" if is_dicom and str(modality) == Modality.CT else "a.u."
