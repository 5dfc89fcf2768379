"""The PS3.15 basic-profile de-identification and the caption identity rule."""

from __future__ import annotations

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from denoscope.core.privacy import (
    BASIC_PROFILE,
    IDENTIFYING_KEYWORDS,
    UidMap,
    caption_identity,
    deidentify,
    pseudonym,
)
from denoscope.core.resources import sample_path


def _planted() -> Dataset:
    ds = pydicom.dcmread(sample_path("ct"))
    ds.PatientName, ds.PatientID, ds.StudyDate = "DOE^JANE", "ID123", "20200101"
    ds.InstitutionName, ds.OperatorsName = "GENERAL", "SMITH^OP"
    ds.add_new(0x00091010, "LO", "private value")
    ds.add_new(0x60000022, "LO", "overlay description")
    item = Dataset()
    item.ReferencedSOPInstanceUID = ds.SOPInstanceUID
    item.PerformingPhysicianName = "NESTED^DOC"
    ds.ReferencedImageSequence = Sequence([item])
    return ds


def test_deidentify_applies_the_profile_in_nested_items_and_maps_uids_consistently():
    uids = UidMap(salt="fixed")
    a, b = _planted(), _planted()
    study, sop = a.StudyInstanceUID, a.SOPInstanceUID
    deidentify(a, uids)
    deidentify(b, uids)
    assert a.PatientName == "" and a.PatientID == "" and a.StudyDate == ""  # Z: kept, emptied
    assert "InstitutionName" not in a and "OperatorsName" not in a  # X: removed
    assert 0x00091010 not in a and 0x60000022 not in a  # private tags and overlays
    nested = a.ReferencedImageSequence[0]
    assert "PerformingPhysicianName" not in nested
    assert nested.ReferencedSOPInstanceUID == a.SOPInstanceUID != sop  # one map everywhere
    assert a.StudyInstanceUID == b.StudyInstanceUID != study
    assert a.SOPClassUID == b.SOPClassUID  # class UIDs are not identifying
    assert a.PatientIdentityRemoved == "YES" and len(a.DeidentificationMethod) <= 64
    assert UidMap(salt="other")(study) != uids(study)  # unlinkable across exports


def test_caption_identity_is_only_name_id_and_study_date():
    class Study:
        datasets = (_planted(),)

    assert caption_identity(Study()) == {
        "PatientName": "DOE^JANE",
        "PatientID": "ID123",
        "StudyDate": "20200101",
    }
    assert caption_identity(object()) == {}


def test_keyword_lists_and_pseudonyms():
    assert {"PatientName", "InstitutionName", "DeviceSerialNumber"} <= IDENTIFYING_KEYWORDS
    assert "PatientSex" not in IDENTIFYING_KEYWORDS and BASIC_PROFILE["StudyInstanceUID"] == "U"
    label = pseudonym("1.2.3.4")
    assert label == pseudonym("1.2.3.4") and "1.2.3.4" not in label and label.startswith("series-")
