"""Create a study: compute every method's output once and store it, losslessly, in one file.

For each case (a file or sub-folder of the cases folder, in natural name
order; hidden entries are skipped) the middle frame is taken and reviewed by
the one review pipeline (:mod:`denoscope.core.review`), exactly as the viewer
and ``denoscope denoise`` do: its modality and normalisation
(:func:`~denoscope.core.review.prepare_study`,
:func:`~denoscope.core.review.normalization_for_model`: a CT card's HU window
only for a study in HU), the model (``--model``, else the shipped model of the
case's modality, so a folder may mix modalities), seeded synthetic noise
(:func:`~denoscope.core.review.synthetic_noise` with seed ``[seed, case
position]``) and the network with its noise-level map when it takes one
(:func:`~denoscope.core.review.run_model`). Each method's output:

- ``noisy``: the noisy image itself;
- ``model``: the network's output;
- a baseline of :data:`denoscope.core.baselines.BASELINES`, given the noise's
  Gaussian-equivalent σ by :func:`~denoscope.core.review.baseline_sigma` in
  ``"oracle"`` mode: the level itself for Gaussian noise, otherwise the standard
  deviation of (noisy - clean) on the case, as ``denoscope evaluate`` does (it
  favours the baselines).

The clean image is stored as ``reference`` and the metrics of each output
against it (PSNR, SSIM, MSE, MAE, GMSD, LPIPS) go into the ``metrics`` table;
readers never see them.

Every case is read once before any work starts, so an unreadable case, a
modality without a model or a level out of range fails at once. The study is
written to a temporary file beside the output, flushed to disk
and renamed over the output at the end, so an interrupted creation leaves no
half-made study; the source images are only ever opened for reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from denoscope.core.errors import OutputWriteError, ParameterError, StudyLoadError
from denoscope.core.study import schema
from denoscope.core.study.design import REFERENCE, parse_methods, trial_list

#: ``progress(done, total, what)`` callback type.
Progress = Callable[[int, int, str], None]

#: Most cases a study may hold (a reading session must stay humane).
MAX_CASES = 500


@dataclass(frozen=True)
class StudySpec:
    """Everything that defines a study's images and trials.

    Attributes
    ----------
    cases : Path
        Folder of cases (each file or sub-folder one case).
    methods : list of str
        Methods compared (``model``, ``noisy`` and baseline names).
    design : {"likert", "pairwise"}
        The design.
    noise : str
        Noise model key.
    level : float or None
        Noise level (None: the noise model's default for the case modality).
    seed : int
        Seed of the noise and of every reader's order.
    model : Path or None
        Model file (None: the shipped model of the cases' modality).
    with_reference : bool
        Show the clean image to readers as the reference.
    criteria : list of (str, str)
        Likert criteria (key, question).
    lpips : bool
        Compute LPIPS for the metric correlations.
    device : str
        Device for the model and LPIPS.
    modality : str or None
        Review every case as this modality (``"ct"``, ``"mri"``, ``"xray"``);
        None keeps each case's own (``"unknown"`` for PNG and TIFF).
    """

    cases: Path
    methods: list[str]
    design: str = "likert"
    noise: str = "gaussian"
    level: float | None = None
    seed: int = 0
    model: Path | None = None
    with_reference: bool = False
    criteria: list[tuple[str, str]] = field(default_factory=list)
    lpips: bool = True
    device: str = "cpu"
    modality: str | None = None


def list_cases(folder: str | Path) -> list[Path]:
    """Return the case paths of a folder: its non-hidden files and sub-folders, in natural order.

    Raises
    ------
    StudyLoadError
        The folder is missing or holds no cases.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise StudyLoadError(
            "the cases folder does not exist",
            path=folder,
            fix="Give a folder with one image file or series folder per case",
        )
    from denoscope.core.io.png import natural_key

    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    entries.sort(key=natural_key)
    if not entries:
        raise StudyLoadError("the cases folder is empty", path=folder)
    if len(entries) > MAX_CASES:
        raise ParameterError(
            "too many cases", path=folder, got=str(len(entries)), expected=f"<= {MAX_CASES}"
        )
    return entries


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for item in files:
        digest.update(item.relative_to(path.parent).as_posix().encode())
        try:
            with open(item, "rb") as fp:
                for block in iter(lambda: fp.read(1 << 20), b""):
                    digest.update(block)
        except OSError as error:
            raise StudyLoadError(
                "cannot read a case file", path=item, got=error.strerror or str(error)
            ) from error
    return digest.hexdigest()


def _tmp_path(out: Path) -> Path:
    return out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.tmp"


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_study(
    spec: StudySpec,
    out: str | Path,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Compute every case's outputs and write the study file.

    Parameters
    ----------
    spec : StudySpec
        Cases, methods, design, noise, seed, model.
    out : str or Path
        The ``.denostudy`` file to write.
    overwrite : bool, optional
        Replace an existing study (refused while it is open: a ``-wal`` file beside it).
    progress : callable, optional
        ``progress(done, total, what)`` after each case.

    Returns
    -------
    Path
        The study written.

    Raises
    ------
    ParameterError
        Bad methods, design, noise or level.
    StudyLoadError
        A case cannot be read (the message names it).
    OutputExistsError
        ``out`` exists (without ``overwrite``) or is an input.
    """
    from denoscope import __version__
    from denoscope.core.baselines import BASELINES
    from denoscope.core.io.write import check_output
    from denoscope.core.noise import get_noise_model
    from denoscope.core.study.design import DESIGNS

    out = Path(out).expanduser()
    if spec.design not in DESIGNS:
        raise ParameterError("unknown design", got=repr(spec.design), expected=" or ".join(DESIGNS))
    methods = parse_methods(spec.methods, available=list(BASELINES))
    noise_model = get_noise_model(spec.noise)
    cases = list_cases(spec.cases)
    trials = trial_list(len(cases), methods, spec.design)
    if out.suffix != schema.SUFFIX:
        raise ParameterError(
            "a study file must end in .denostudy", path=out, got=out.suffix or "no suffix"
        )
    check_output(out, overwrite=overwrite, inputs=cases, overwrite_hint="pass --force")
    if Path(f"{out}-wal").exists():
        raise ParameterError(
            "the study to replace is open, or a reader's process ended abruptly (a -wal file "
            "holding answers is beside it)",
            path=out,
            fix=(
                "Close every reading window of it (or run `denoscope study report` on it once "
                "to fold the answers in), or choose another name"
            ),
        )

    _check_cases(spec, cases, methods, noise_model)
    tmp = _tmp_path(out)
    try:
        conn = schema.connect(tmp, create=True)
    except BaseException:
        _remove_sqlite_files(tmp)
        raise
    try:
        with schema.translated_errors(out, "writing the new study"):
            settings = _write_cases(conn, spec, cases, methods, noise_model, BASELINES, progress)
            meta = {
                "design": spec.design,
                "criteria": [list(c) for c in spec.criteria] if spec.design == "likert" else [],
                "methods": methods,
                "with_reference": bool(spec.with_reference),
                "seed": int(spec.seed),
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "settings": {
                    "denoscope_version": __version__,
                    **settings,
                },
            }
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in meta.items()],
            )
            conn.executemany(
                "INSERT INTO trials (case_id, method_a, method_b) VALUES (?, ?, ?)",
                [(case + 1, a, b) for case, a, b in trials],
            )
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        _fsync(tmp)
        check_output(out, overwrite=overwrite, inputs=cases, overwrite_hint="pass --force")
        os.replace(tmp, out)
        _remove_sqlite_files(tmp)
        _fsync(out.parent)
    except OSError as error:
        conn.close()
        _remove_sqlite_files(tmp)
        raise OutputWriteError(
            "cannot write the study file", path=out, got=error.strerror or str(error)
        ) from error
    except BaseException:
        conn.close()
        _remove_sqlite_files(tmp)
        raise
    return out


def _check_level(noise_model, spec: StudySpec, modality: str) -> float:
    level = float(spec.level) if spec.level is not None else noise_model.default_level(modality)
    if not noise_model.min_level <= level <= noise_model.max_level:
        raise ParameterError(
            f"{noise_model.name} level out of range",
            got=f"{level:g}",
            expected=f"{noise_model.min_level:g} to {noise_model.max_level:g} {noise_model.unit}",
        )
    return level


def _check_cases(spec: StudySpec, cases: Sequence[Path], methods: Sequence[str], noise_model):
    """Read every case once before any work: a bad case, model or level fails at once.

    Loading twice costs some I/O but spares a user an error after an hour of denoising.
    """
    from denoscope.core.io import load_study
    from denoscope.core.review import load_model_cached, model_path_for, prepare_study

    for path in cases:
        review = prepare_study(load_study(path), modality=spec.modality)
        modality = str(review.modality)
        _check_level(noise_model, spec, modality)
        if "model" in methods:
            try:
                load_model_cached(model_path_for(modality, spec.model))
            except ParameterError as error:
                raise ParameterError(
                    error.problem,
                    path=path,
                    got=error.got,
                    expected=error.expected,
                    fix="pass --modality mri|ct|xray to review every case as one, or --model FILE",
                ) from error


def _write_cases(
    conn,
    spec: StudySpec,
    cases: Sequence[Path],
    methods: Sequence[str],
    noise_model,
    baselines,
    progress: Progress | None,
) -> dict[str, Any]:
    """Load, noise, denoise and store each case; return the reproduction settings."""
    from denoscope.core.io import load_study
    from denoscope.core.metrics import compute_metrics
    from denoscope.core.review import (
        ReviewParams,
        baseline_sigma,
        load_model_cached,
        mismatch_note,
        model_path_for,
        normalization_for_model,
        pixel_size_mm,
        prepare_study,
        run_model,
        synthetic_noise,
    )

    levels: dict[str, float] = {}
    models: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for position, path in enumerate(cases):
        review = prepare_study(load_study(path), modality=spec.modality)
        study = review.study
        modality = str(review.modality)
        loaded = None
        if "model" in methods:
            model_path = model_path_for(modality, spec.model)
            loaded = load_model_cached(model_path)
            note = mismatch_note(review, loaded.card, loaded.card.name)
            if note:
                notes.append(f"case {position + 1}: {note}")
        norm = normalization_for_model(review, None if loaded is None else loaded.card)
        index = study.n_frames // 2
        clean = np.asarray(norm.to_unit(study.frames[index]), np.float32)
        level = _check_level(noise_model, spec, modality)
        levels[modality] = level
        params = ReviewParams(
            modality=modality,
            model_path=spec.model,
            noise=noise_model.name,
            level=level,
            seed=int(spec.seed),
            device=spec.device,
            baseline=None,
        )
        pixel_size = pixel_size_mm(study)
        noisy = synthetic_noise(clean, params, position, pixel_size_mm=pixel_size)
        sigma = min(baseline_sigma(noise_model.name, level, noisy, clean, mode="oracle"), 1.0)
        outputs: dict[str, np.ndarray] = {REFERENCE: clean}
        for method in methods:
            if method == "noisy":
                outputs[method] = noisy
            elif method == "model":
                result, mean_level = run_model(
                    loaded, noisy, params, truth01=clean, pixel_size_mm=pixel_size
                )
                outputs[method] = result.image
                card = loaded.card
                models.setdefault(
                    Path(loaded.path).name,
                    {
                        "name": card.name,
                        "architecture": card.architecture.arch,
                        "modality": str(card.modality),
                        "weights_sha256": card.weights_sha256,
                        "device": result.device,
                        "noise_level_map": mean_level is not None,
                        "cases": [],
                    },
                )["cases"].append(position + 1)
            else:
                outputs[method] = baselines[method].apply(noisy, level=sigma)
        case_id = position + 1
        center, width = (float(v) for v in study.window)
        spacing = study.pixel_spacing
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO cases (id, position, label, modality, unit, rows, cols, window_center,"
            " window_width, pixel_spacing, normalization, source_sha256,"
            " frame_index, noise_seed, baseline_sigma)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                position,
                f"case {case_id}",
                modality,
                review.unit,
                int(clean.shape[0]),
                int(clean.shape[1]),
                center,
                width,
                json.dumps([float(v) for v in spacing]) if spacing else None,
                norm.model_dump_json(),
                _sha256_of(path),
                int(index),
                json.dumps([int(spec.seed), position]),
                sigma,
            ),
        )
        for method, image in outputs.items():
            image32 = np.asarray(image, dtype=np.float32)
            conn.execute(
                "INSERT INTO images (case_id, method, dtype, shape, sha256, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (case_id, method, *schema.encode_array(image32)),
            )
            if method == REFERENCE:
                continue
            values = compute_metrics(
                clean, image32, data_range=1.0, lpips=spec.lpips, device=spec.device
            ).as_dict()
            conn.executemany(
                "INSERT INTO metrics (case_id, method, name, value) VALUES (?, ?, ?, ?)",
                [(case_id, method, name, value) for name, value in values.items()],
            )
        conn.execute("COMMIT")
        if progress is not None:
            progress(position + 1, len(cases), f"case {case_id}")
    return {
        "cases": len(cases),
        "frame_rule": "the middle frame of each case (index n_frames // 2)",
        "pipeline": "denoscope.core.review (prepare_study, synthetic_noise, run_model)",
        "noise": {"name": noise_model.name, "unit": noise_model.unit, "levels": levels},
        "noise_seed_rule": "numpy default_rng([seed, case position])",
        "baseline_sigma_rule": (
            "the Gaussian level itself"
            if noise_model.name.startswith("gaussian")
            else "oracle: std(noisy - clean) per case"
        ),
        "baselines": {m: baselines[m].description for m in methods if m not in ("model", "noisy")},
        "normalization_rule": (
            "denoscope.core.review: a CT card's fixed HU window for studies in HU, "
            "else the study's own rule (normalization_for)"
        ),
        "models": models,
        "notes": notes,
        "metrics": "against the clean image in [0, 1], data_range = 1",
        "lpips": bool(spec.lpips),
    }
