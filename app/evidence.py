"""Evidence that cannot go stale: comparison images rendered from the state at export time.

Exports never picture the widgets. Each pane is rendered here from the state
being exported (the shown result's arrays, the display window, the difference
mode, the layout's panes, the ROIs), at the image's native pixel size, with
its title, orientation letters (ImageOrientationPatient), a scale bar
(PixelSpacing) and the ROI outlines drawn on it. Every number burned in (pane
titles, the hover readout, ROI statistics, metrics) is computed from that same
state when the export runs, and an export is refused while the shown slice's
result is still being computed.

The composed comparison puts the panes side by side (small images are enlarged
by an integer factor so the text stays readable, very large ones reduced; the
factor is stated). ``pane_images`` gives each pane alone at exactly native size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from denoscope.app.annotations import orientation_labels, scale_bar, study_orientation
from denoscope.app.state import DIFF_MODES, ViewerState

#: Composed panes are enlarged to at least this many pixels on their shorter side...
MIN_COMPOSED_SIDE = 384
#: ...and reduced to at most this many on their longer side.
MAX_COMPOSED_SIDE = 2048
#: The composed image is at least this wide (room for the caption).
MIN_COMPOSED_WIDTH = 1180
_TITLES = {"noisy": "Noisy", "denoised": "Denoised", "truth": "Ground truth"}
_REAL_TITLES = {"noisy": "Input", "denoised": "Denoised", "truth": "(no ground truth)"}
_ROI_COLOURS = ("#ebcb8b", "#88c0d0")
_TEXT = QColor("#ebcb8b")


@dataclass(frozen=True)
class ViewSetup:
    """What the reader arranged, as plain data (taken from the panes at export time).

    Attributes
    ----------
    layout : str
        Layout key ("1x1", "1x2", "2x2", "1x4").
    panes : tuple of str
        Pane keys shown, in reading order.
    difference_mode : str
        Key of :data:`DIFF_MODES` shown in the difference pane.
    difference_cmap : str
        Colour map of the difference pane.
    difference_levels : tuple of float
        Its colour range (modality units).
    hover : tuple of int or None
        (row, col) of the pixel read out, if any.
    regions : tuple
        :class:`~denoscope.core.roi.Region` of each ROI.
    """

    layout: str
    panes: tuple[str, ...]
    difference_mode: str
    difference_cmap: str
    difference_levels: tuple[float, float]
    hover: tuple[int, int] | None = None
    regions: tuple = ()


def view_setup(panes: Any, regions: tuple | list = ()) -> ViewSetup:
    """Read a :class:`ViewSetup` from an :class:`~denoscope.app.widgets.image_panes.ImagePanes`."""
    cmap, levels = panes.difference_display()
    return ViewSetup(
        layout=panes.layout_name,
        panes=tuple(panes.visible_panes()),
        difference_mode=panes.difference_mode(),
        difference_cmap=cmap,
        difference_levels=(float(levels[0]), float(levels[1])),
        hover=panes.hover,
        regions=tuple(regions),
    )


def ensure_current(state: ViewerState) -> None:
    """Refuse to export a result that is not the shown slice's for the shown parameters.

    Raises
    ------
    ParameterError
        When nothing is shown or the shown slice is still being computed.
    """
    from denoscope.core.errors import ParameterError

    result = state.result
    if result is None or state.study is None:
        raise ParameterError("nothing to export: no result is shown", fix="open a study first")
    if result.index != state.slice_index or result.params != state.params:
        raise ParameterError(
            "the shown slice is still being computed",
            got=f"result of slice {result.index + 1}, shown slice {state.slice_index + 1}",
            fix="export again once its result is shown",
        )


def trust_display(state: ViewerState) -> dict[str, Any]:
    """What the Trust panel adds to the panes (lesion-test images, map overlay, lesion outlines).

    ``{"images": {pane: array}, "overlay": {"pane", "image", "levels", "cmap", "opacity"},
    "lesions": [(row, col, radius, kept)]}``, each part optional; empty without the panel.
    """
    provider = getattr(state, "trust_display", None)
    return (provider() or {}) if callable(provider) else {}


def pane_array(state: ViewerState, setup: ViewSetup, key: str) -> np.ndarray | None:
    """The image of pane ``key`` in modality units, from the shown result."""
    result = state.result
    shown = trust_display(state).get("images", {})
    if key in shown:  # the lesion test's images, as the panes show them
        return shown[key]
    if key == "difference":
        return result.differences.get(setup.difference_mode)
    return result.display.get(key)


def pane_title(state: ViewerState, setup: ViewSetup, key: str) -> str:
    """Title of pane ``key`` with its metrics, from the shown result."""
    unit = "HU" if state.study.study.modality == "ct" else "a.u."
    if key == "difference":
        return f"Difference: {DIFF_MODES[setup.difference_mode]} ({unit})"
    names = _REAL_TITLES if state.params.real_input else _TITLES
    text = names[key]
    values = state.result.metrics.get(key)
    if values and values.get("psnr") is not None:
        text += f" · PSNR {values['psnr']:.2f} dB · SSIM {values['ssim']:.3f}"
    return text


def _lookup(name: str) -> np.ndarray:
    import pyqtgraph as pg

    return np.asarray(pg.colormap.get(name).getLookupTable(nPts=256, alpha=False), np.uint8)


def to_rgb(image: np.ndarray, levels: tuple[float, float], cmap: str | None = None) -> QImage:
    """A (rows, cols) image in modality units as an RGB32 QImage through a window or colour map."""
    low, high = float(levels[0]), float(levels[1])
    span = high - low if high > low else 1e-6
    index = np.clip((np.asarray(image, np.float64) - low) / span * 255.0, 0, 255).astype(np.uint8)
    if cmap is None:
        rgb = np.repeat(index[..., None], 3, axis=2)
    else:
        rgb = _lookup(cmap)[index][..., :3]
    rows, cols = index.shape
    rgba = np.empty((rows, cols, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3] = (
        rgb[..., 2],
        rgb[..., 1],
        rgb[..., 0],
        255,
    )
    qimage = QImage(rgba.data, cols, rows, cols * 4, QImage.Format.Format_RGB32)
    return qimage.copy()  # own the pixels (the array goes away)


def pane_images(state: ViewerState, setup: ViewSetup) -> dict[str, QImage]:
    """Each shown pane alone, at exactly the image's native pixel size (no annotation)."""
    ensure_current(state)
    center, width = state.window
    overlay = trust_display(state).get("overlay")
    out: dict[str, QImage] = {}
    for key in setup.panes:
        image = pane_array(state, setup, key)
        if image is None:
            continue
        if key == "difference":
            out[key] = to_rgb(image, setup.difference_levels, setup.difference_cmap)
        else:
            out[key] = to_rgb(image, (center - width / 2.0, center + width / 2.0))
        if overlay is not None and overlay["pane"] == key:  # the trust map, as shown
            painter = QPainter(out[key])
            painter.setOpacity(float(overlay["opacity"]))
            painter.drawImage(0, 0, to_rgb(overlay["image"], overlay["levels"], overlay["cmap"]))
            painter.end()
    return out


def composed_scale(shape: tuple[int, int]) -> float:
    """Scale of a pane in the composed comparison (integer up, or a reduction)."""
    rows, cols = shape
    if max(rows, cols) > MAX_COMPOSED_SIDE:
        return MAX_COMPOSED_SIDE / max(rows, cols)
    return float(max(1, math.ceil(MIN_COMPOSED_SIDE / max(min(rows, cols), 1))))


def _font(pixels: int, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def annotate(
    painter: QPainter,
    state: ViewerState,
    setup: ViewSetup,
    key: str,
    scale: float,
    width: int,
    height: int,
) -> None:
    """Draw orientation letters, scale bar, ROIs and the readout marker on one pane."""
    study = state.study.study
    painter.setFont(_font(14, bold=True))
    painter.setPen(_TEXT)
    labels = orientation_labels(study_orientation(study, state.slice_index))
    if labels:
        box = QRectF(6, 6, width - 12, height - 12)
        flags = {
            "top": Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter,
            "bottom": Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter,
            "left": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "right": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        }
        for side, text in labels.items():
            painter.drawText(box, flags[side], text)
    if study.pixel_spacing is not None:
        bar = scale_bar(scale / float(study.pixel_spacing[1]), width / 5.0)
        if bar is not None and bar[1] < width - 24:
            mm, pixels = bar
            x1, y = width - 18 - pixels, height - 30
            painter.setPen(QPen(_TEXT, 2))
            painter.drawLine(QPointF(x1, y), QPointF(x1 + pixels, y))
            painter.setFont(_font(12))
            painter.drawText(
                QRectF(x1 - 20, y + 2, pixels + 40, 16), Qt.AlignmentFlag.AlignHCenter, f"{mm:g} mm"
            )
    for index, region in enumerate(setup.regions):
        painter.setPen(QPen(QColor(_ROI_COLOURS[index % 2]), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QRectF(
            region.x * scale, region.y * scale, region.width * scale, region.height * scale
        )
        if region.shape == "ellipse":
            painter.drawEllipse(rect)
        else:
            painter.drawRect(rect)
        painter.setFont(_font(12, bold=True))
        painter.drawText(rect.topLeft() + QPointF(2, -4), f"ROI {index + 1}")
    for row, col, radius, kept in trust_display(state).get("lesions", []):
        painter.setPen(QPen(QColor("#55ff88" if kept else "#ff5555"), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        r = (radius + 1.5) * scale
        painter.drawEllipse(QPointF((col + 0.5) * scale, (row + 0.5) * scale), r, r)
    if setup.hover is not None:
        row, col = setup.hover
        x, y = (col + 0.5) * scale, (row + 0.5) * scale
        painter.setPen(QPen(QColor("#bf616a"), 1))
        painter.drawLine(QPointF(x - 8, y), QPointF(x + 8, y))
        painter.drawLine(QPointF(x, y - 8), QPointF(x, y + 8))


def compose(state: ViewerState, setup: ViewSetup, lines: list[str]) -> tuple[QImage, float]:
    """The composed comparison: titled, annotated panes side by side, caption below.

    Returns
    -------
    tuple
        The image and the scale of the panes (image pixels → composed pixels).
    """
    images = pane_images(state, setup)
    keys = [k for k in setup.panes if k in images]
    shape = next(iter(pane_array(state, setup, k) for k in keys)).shape
    scale = composed_scale(shape)
    pane_w, pane_h = round(shape[1] * scale), round(shape[0] * scale)
    title_h, gap, line_h = 26, 8, 19
    width = max(len(keys) * pane_w + (len(keys) - 1) * gap, MIN_COMPOSED_WIDTH)
    height = title_h + pane_h + 16 + line_h * len(lines)
    out = QImage(width, height, QImage.Format.Format_RGB32)
    out.fill(QColor("#101214"))
    painter = QPainter(out)
    try:
        for column, key in enumerate(keys):
            x = column * (pane_w + gap)
            painter.setFont(_font(15, bold=True))
            painter.setPen(QColor("#d8dee9"))
            painter.drawText(
                QRectF(x, 2, pane_w, title_h - 4),
                Qt.AlignmentFlag.AlignCenter,
                pane_title(state, setup, key),
            )
            scaled = images[key].scaled(
                pane_w,
                pane_h,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.FastTransformation
                if scale >= 1
                else Qt.TransformationMode.SmoothTransformation,
            )
            painter.drawImage(x, title_h, scaled)
            painter.save()
            painter.translate(x, title_h)
            painter.setClipRect(0, 0, pane_w, pane_h)
            annotate(painter, state, setup, key, scale, pane_w, pane_h)
            painter.restore()
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPixelSize(14)
        painter.setFont(mono)
        painter.setPen(QColor("#d8dee9"))
        y = title_h + pane_h + 8
        for line in lines:
            painter.drawText(QRectF(10, y, width - 20, line_h), Qt.AlignmentFlag.AlignLeft, line)
            y += line_h
    finally:
        painter.end()
    return out, scale


def readout(state: ViewerState, setup: ViewSetup) -> dict[str, Any] | None:
    """Values of every shown pane at the hovered pixel, read from the exported arrays."""
    if setup.hover is None:
        return None
    row, col = setup.hover
    values: dict[str, float | None] = {}
    for key in setup.panes:
        image = pane_array(state, setup, key)
        inside = image is not None and 0 <= row < image.shape[0] and 0 <= col < image.shape[1]
        values[key] = float(image[row, col]) if inside else None
    return {"row": row, "col": col, "values": values}


def noise_level_text(state: ViewerState) -> str | None:
    """The noise level in physical units, measured on the exported result (None: real input)."""
    from denoscope.app.noise_defaults import level_text, measured_noise_sd

    params, loaded, result = state.params, state.study, state.result
    if params.real_input:
        return None
    modality = loaded.study.modality
    unit = "HU" if modality == "ct" else "a.u."
    return level_text(
        params.noise,
        params.level,
        normalization=loaded.normalization,
        unit=unit,
        measured=measured_noise_sd(result, modality),
    )


def setup_record(state: ViewerState, setup: ViewSetup, rois: list[dict]) -> dict[str, Any]:
    """The sidecar's reading-room part: layout, panes, titles, readout, ROIs."""
    study = state.study.study
    bar = None
    if study.pixel_spacing is not None:
        scale = composed_scale(tuple(study.frames.shape[1:]))
        width = study.frames.shape[2] * scale
        found = scale_bar(scale / float(study.pixel_spacing[1]), width / 5.0)
        bar = None if found is None else found[0]
    return {
        "layout": setup.layout,
        "panes": list(setup.panes),
        "noise_level_in_units": noise_level_text(state),
        "orientation": orientation_labels(study_orientation(study, state.slice_index)),
        "scale_bar_mm": bar,
        "pane_titles": {key: pane_title(state, setup, key) for key in setup.panes},
        "difference_colour_range": list(setup.difference_levels),
        "readout": readout(state, setup),
        "rois": rois,
    }


def setup_lines(state: ViewerState, setup: ViewSetup, rois: list[dict], scale: float) -> list[str]:
    """Caption lines for the layout, the readout and the ROIs."""
    unit = "HU" if state.study.study.modality == "ct" else "a.u."
    lines = [
        f"Layout {setup.layout}: {', '.join(setup.panes)} · panes at "
        + ("native size" if scale == 1 else f"{scale:g}× native size")
    ]
    level = noise_level_text(state)
    if level:
        lines.append(f"Noise level: {level}")
    values = readout(state, setup)
    if values is not None:
        parts = [f"{k} {v:.1f}" for k, v in values["values"].items() if v is not None]
        lines.append(
            f"Readout at (row {values['row']}, col {values['col']}): "
            + ", ".join(parts)
            + f" {unit}"
        )
    for roi in rois:
        region = roi["region"]
        lines.append(
            f"{roi['name']}: {region['shape']} at (x {region['x']:.0f}, y {region['y']:.0f}), "
            f"{region['width']:.0f}×{region['height']:.0f} px"
            + (f" · {roi['error']}" if roi.get("error") else "")
        )
        for name, entry in (roi.get("stats") or {}).items():
            text = (
                f"  {name:<9} mean {entry['mean']:8.1f}  SD {entry['sd']:7.1f}  "
                f"min {entry['min']:8.1f}  max {entry['max']:8.1f} {unit}"
            )
            if entry.get("noise_sd") is not None and name != "truth":
                text += f" · noise SD {entry['noise_sd']:.1f}"
            if entry.get("noise_sd_reduction") is not None:
                text += f" ({entry['noise_sd_reduction'] * 100:+.0f} %)"
            if entry.get("psnr") is not None and name != "truth":
                ssim = "—" if entry.get("ssim") is None else f"{entry['ssim']:.3f}"
                text += f" · local PSNR {entry['psnr']:.2f} dB, SSIM {ssim}"
            lines.append(text)
        for name, entry in (roi.get("contrast_vs_roi2") or {}).items():
            cnr = "—" if entry["cnr"] is None else f"{entry['cnr']:.2f}"
            lines.append(
                f"  contrast ROI 1 − ROI 2, {name}: {entry['contrast']:.1f} {unit}, CNR {cnr}"
            )
    return lines
