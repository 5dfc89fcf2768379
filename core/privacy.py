"""The privacy policy: what identifying information each kind of output may carry.

Every writer consults this module:

* **PNGs, screenshots, JSON sidecars, CSV and reports** carry no identifying
  attribute by default (evaluation reports name a folder's series by
  :func:`pseudonym`) (no names, IDs, dates, UIDs, institution, staff, device
  identifiers, file names or free-text descriptions). The viewer's "Include
  identifying text in exports" option adds exactly :data:`CAPTION_IDENTITY`:
  the patient's name, ID and the study date (:func:`caption_identity`), never
  institution, staff or device identifiers.
* **Derived DICOM** keeps the patient and study identity, as a derived series of
  the same study must. With ``anonymize`` (``denoise --anonymize``, the
  viewer's "Anonymize derived DICOM") it applies :func:`deidentify`: the DICOM
  PS3.15 Annex E *Basic Application Level Confidentiality Profile* (Table
  E.1-1, the attributes in :data:`BASIC_PROFILE`), removes private tags, and
  replaces every UID through one :class:`UidMap`, so the files of one export
  stay one study and one series, consistently, while no original UID remains.

PS3.15 actions used: ``X`` remove, ``Z`` keep the element but empty it (type 2
attributes a valid file needs), ``D`` replace with a dummy value, ``U`` replace
the UID consistently.
"""

from __future__ import annotations

import secrets
from typing import Any

#: The only identifying values an export may add, when the user asks for identifying text.
CAPTION_IDENTITY: tuple[str, ...] = ("PatientName", "PatientID", "StudyDate")

#: Dummy value written for ``D`` actions.
DUMMY = "ANONYMIZED"

#: PS3.15 E.1-1 basic profile, by keyword: "X" remove, "Z" empty, "D" dummy, "U" new UID.
BASIC_PROFILE: dict[str, str] = {
    # patient
    "PatientName": "Z",
    "PatientID": "Z",
    "PatientBirthDate": "Z",
    "PatientBirthTime": "X",
    "PatientSex": "Z",
    "PatientAge": "X",
    "PatientSize": "X",
    "PatientWeight": "X",
    "PatientAddress": "X",
    "PatientTelephoneNumbers": "X",
    "PatientMotherBirthName": "X",
    "PatientBirthName": "X",
    "OtherPatientIDs": "X",
    "OtherPatientNames": "X",
    "OtherPatientIDsSequence": "X",
    "IssuerOfPatientID": "X",
    "MedicalRecordLocator": "X",
    "EthnicGroup": "X",
    "Occupation": "X",
    "AdditionalPatientHistory": "X",
    "PatientComments": "X",
    "PatientReligiousPreference": "X",
    "MilitaryRank": "X",
    "BranchOfService": "X",
    "CountryOfResidence": "X",
    "RegionOfResidence": "X",
    "MedicalAlerts": "X",
    "Allergies": "X",
    "PregnancyStatus": "X",
    "ResponsiblePerson": "X",
    "ResponsibleOrganization": "X",
    "PatientInsurancePlanCodeSequence": "X",
    # study, visit and request
    "StudyDate": "Z",
    "StudyTime": "Z",
    "AccessionNumber": "Z",
    "StudyID": "Z",
    "StudyDescription": "X",
    "SeriesDescription": "X",
    "ReferringPhysicianName": "Z",
    "ReferringPhysicianAddress": "X",
    "ReferringPhysicianTelephoneNumbers": "X",
    "PhysiciansOfRecord": "X",
    "PerformingPhysicianName": "X",
    "NameOfPhysiciansReadingStudy": "X",
    "RequestingPhysician": "X",
    "OperatorsName": "X",
    "AdmittingDiagnosesDescription": "X",
    "AdmissionID": "X",
    "RequestedProcedureDescription": "X",
    "RequestedProcedureID": "X",
    "RequestAttributesSequence": "X",
    "PerformedProcedureStepID": "X",
    "PerformedProcedureStepDescription": "X",
    "PerformedProcedureStepStartDate": "X",
    "PerformedProcedureStepStartTime": "X",
    "ScheduledProcedureStepID": "X",
    "ImageComments": "X",
    "ProtocolName": "X",
    "DerivationDescription": "X",
    "ContentDate": "Z",
    "ContentTime": "Z",
    "SeriesDate": "X",
    "SeriesTime": "X",
    "AcquisitionDate": "X",
    "AcquisitionTime": "X",
    "AcquisitionDateTime": "X",
    "InstanceCreationDate": "X",
    "InstanceCreationTime": "X",
    "OverlayDate": "X",
    "OverlayTime": "X",
    "CurveDate": "X",
    "CurveTime": "X",
    # institution, staff and device
    "InstitutionName": "X",
    "InstitutionAddress": "X",
    "InstitutionalDepartmentName": "X",
    "InstitutionCodeSequence": "X",
    "StationName": "X",
    "DeviceSerialNumber": "X",
    "DeviceUID": "U",
    "PlateID": "X",
    "DetectorID": "X",
    "GantryID": "X",
    "CassetteID": "X",
    "ManufacturerModelName": "X",
    "SoftwareVersions": "X",
    # UIDs
    "StudyInstanceUID": "U",
    "SeriesInstanceUID": "U",
    "SOPInstanceUID": "U",
    "FrameOfReferenceUID": "U",
    "ReferencedSOPInstanceUID": "U",
    "ReferencedFrameOfReferenceUID": "U",
    "SynchronizationFrameOfReferenceUID": "U",
    "IrradiationEventUID": "U",
    "DimensionOrganizationUID": "U",
    "ConcatenationUID": "U",
    "StorageMediaFileSetUID": "U",
    "MediaStorageSOPInstanceUID": "U",
    "TargetUID": "U",
    "UID": "U",
}

#: Keywords whose values identify a patient, a person, an institution or a device: what
#: the tag browser marks and what no default export may carry (PS3.15 E.1-1, abridged).
IDENTIFYING_KEYWORDS: frozenset[str] = frozenset(
    {
        "PatientName",
        "PatientID",
        "IssuerOfPatientID",
        "PatientBirthDate",
        "PatientBirthTime",
        "PatientBirthName",
        "PatientMotherBirthName",
        "OtherPatientIDs",
        "OtherPatientIDsSequence",
        "OtherPatientNames",
        "PatientAddress",
        "PatientTelephoneNumbers",
        "PatientTelecomInformation",
        "MilitaryRank",
        "EthnicGroup",
        "Occupation",
        "PatientInsurancePlanCodeSequence",
        "MedicalRecordLocator",
        "PatientComments",
        "AdditionalPatientHistory",
        "InstitutionName",
        "InstitutionAddress",
        "InstitutionalDepartmentName",
        "ReferringPhysicianName",
        "ReferringPhysicianAddress",
        "ReferringPhysicianTelephoneNumbers",
        "PhysiciansOfRecord",
        "PerformingPhysicianName",
        "NameOfPhysiciansReadingStudy",
        "OperatorsName",
        "RequestingPhysician",
        "ScheduledPerformingPhysicianName",
        "AccessionNumber",
        "StudyID",
        "StationName",
        "DeviceSerialNumber",
        "RequestAttributesSequence",
        "PerformedProcedureStepID",
        "ScheduledProcedureStepID",
        "RequestedProcedureID",
        "ResponsiblePerson",
        "ResponsibleOrganization",
        "PersonName",
        "ContentCreatorName",
        "InstanceCreatorUID",
    }
) | frozenset(k for k, action in BASIC_PROFILE.items() if action in ("X", "Z", "D")) - {
    "PatientSex",
    "SeriesDescription",
    "StudyDescription",
    "DerivationDescription",
    "ImageComments",
    "ProtocolName",
    "ManufacturerModelName",
    "SoftwareVersions",
    "ContentDate",
    "ContentTime",
}

#: Method recorded in DeidentificationMethod (LO: at most 64 characters).
METHOD = "DICOM PS3.15 E.1-1 Basic Profile (Denoscope)"


class UidMap:
    """Replace UIDs consistently: one original UID always becomes the same new UID.

    One map per export keeps a derived series one series of one study; a fresh
    random salt per map keeps new UIDs unlinkable to the originals.
    """

    def __init__(self, salt: str | None = None) -> None:
        self.salt = salt or secrets.token_hex(16)
        self._map: dict[str, str] = {}

    def __call__(self, uid: str) -> str:
        """The new UID of ``uid`` (created on first use)."""
        from pydicom.uid import generate_uid

        uid = str(uid)
        if uid not in self._map:
            self._map[uid] = generate_uid(entropy_srcs=[self.salt, uid])
        return self._map[uid]


def pseudonym(text: str, *, prefix: str = "series") -> str:
    """A stable label that stands for an identifier (a UID, a file name) in reports.

    ``"series-" + the first 10 hex digits of its SHA-256``: the same input gives
    the same label in every run, so rows can be matched across reports, while
    the identifier itself never appears.
    """
    import hashlib

    return f"{prefix}-{hashlib.sha256(str(text).encode('utf-8')).hexdigest()[:10]}"


def caption_identity(study: Any) -> dict[str, str]:
    """Patient name, ID and study date of a study, for "include identifying text" only.

    Reads the top-level attributes of the first dataset (never a nested
    sequence item such as OtherPatientIDsSequence); empty for non-DICOM studies.
    """
    datasets = getattr(study, "datasets", ()) or ()
    if not datasets:
        return {}
    first = datasets[0]
    out = {}
    for keyword in CAPTION_IDENTITY:
        if keyword in first:
            value = first[keyword].value
            out[keyword] = "" if value is None else str(value)
    return out


def deidentify(dataset: Any, uids: UidMap) -> None:
    """Apply the basic profile to a pydicom dataset in place (nested sequences included).

    Parameters
    ----------
    dataset : pydicom.Dataset
        A dataset about to be written (its file meta too, when present).
    uids : UidMap
        The map shared by every file of one export.
    """
    _apply(dataset, uids)
    meta = getattr(dataset, "file_meta", None)
    if meta is not None and "MediaStorageSOPInstanceUID" in meta and "SOPInstanceUID" in dataset:
        meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.PatientIdentityRemoved = "YES"
    dataset.DeidentificationMethod = METHOD
    dataset.LongitudinalTemporalInformationModified = "REMOVED"


def _apply(dataset: Any, uids: UidMap) -> None:
    dataset.remove_private_tags()
    for element in list(dataset):
        keyword = element.keyword
        if element.VR == "SQ":
            if BASIC_PROFILE.get(keyword) == "X":
                del dataset[element.tag]
                continue
            for item in element.value:
                _apply(item, uids)
            continue
        if (element.tag.group & 0xFF00) in (0x5000, 0x6000) and element.tag.group % 2 == 0:
            del dataset[element.tag]  # curves and overlays (PS3.15: curve/overlay data X)
            continue
        action = BASIC_PROFILE.get(keyword)
        if action is None and element.VR == "UI" and keyword.endswith("UID"):
            if not keyword.endswith("ClassUID") and keyword != "TransferSyntaxUID":
                action = "U"
        if action == "X":
            del dataset[element.tag]
        elif action == "Z":
            element.value = ""
        elif action == "D":
            element.value = DUMMY
        elif action == "U" and element.value:
            if element.VM > 1:
                element.value = [uids(v) for v in element.value]
            else:
                element.value = uids(element.value)
