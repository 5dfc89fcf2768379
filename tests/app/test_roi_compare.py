"""ROI statistics mirrored on every pane, and flicker/swipe in one pane (issue 13)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from denoscope.core.resources import sample_path


def test_region_statistics_match_numpy():
    from denoscope.core.errors import ParameterError
    from denoscope.core.roi import Region, contrast, region_mask, region_stats

    rect = region_mask(Region("rect", 2, 3, 4, 5), (20, 20))
    assert rect.sum() == 20 and rect[3:8, 2:6].all()
    disc = region_mask(Region("ellipse", 0, 0, 40, 40), (40, 40))
    assert abs(disc.sum() - math.pi * 20**2) < 40
    rng = np.random.default_rng(0)
    truth = np.full((32, 32), 40.0)
    noisy = truth + rng.normal(0, 10, truth.shape)
    denoised = truth + rng.normal(0, 2, truth.shape)
    region = Region("rect", 4, 4, 16, 16)
    images = {"noisy": noisy, "denoised": denoised, "truth": truth}
    units01 = {k: v / 100.0 for k, v in images.items()}
    stats = region_stats(region, images, truth=truth, images01=units01, truth01=truth / 100.0)
    inside = noisy[4:20, 4:20]
    assert stats["noisy"]["mean"] == pytest.approx(inside.mean())
    assert stats["noisy"]["sd"] == pytest.approx(inside.std(ddof=1))
    assert stats["noisy"]["min"] == inside.min() and stats["noisy"]["max"] == inside.max()
    sd_n = (noisy - truth)[4:20, 4:20].std(ddof=1)
    sd_d = (denoised - truth)[4:20, 4:20].std(ddof=1)
    assert stats["denoised"]["noise_sd_reduction"] == pytest.approx(1 - sd_d / sd_n)
    mse = np.mean(((noisy - truth) / 100.0)[4:20, 4:20] ** 2)
    assert stats["noisy"]["psnr"] == pytest.approx(10 * np.log10(1 / mse))
    assert stats["truth"]["psnr"] == math.inf and stats["truth"]["ssim"] == pytest.approx(1.0)
    background = region_stats(Region("rect", 20, 20, 8, 8), {"noisy": noisy - 30})
    pair = contrast({"noisy": stats["noisy"]}, background)
    bg = (noisy - 30)[20:28, 20:28]
    assert pair["noisy"]["contrast"] == pytest.approx(inside.mean() - bg.mean())
    assert pair["noisy"]["cnr"] == pytest.approx(abs(inside.mean() - bg.mean()) / bg.std(ddof=1))
    with pytest.raises(ParameterError):
        region_stats(Region("rect", 100, 100, 5, 5), {"noisy": noisy})
    with pytest.raises(ParameterError):
        Region("star", 0, 0, 1, 1)


def test_roi_is_mirrored_on_every_pane_and_listed(window, open_study, qtbot):
    from denoscope.app.widgets.image_panes import PANES
    from denoscope.core.roi import Region

    open_study(window, sample_path("ct"))
    tool = window.view_toolbar.rois
    window.view_toolbar.action_roi_rect.trigger()  # arms drawing
    assert tool.armed == "rect" and window.view_toolbar.action_roi_rect.isChecked()
    window.view_toolbar.action_roi_rect.trigger()  # again: place one in the middle
    assert tool.armed is None and not window.view_toolbar.action_roi_rect.isChecked()
    assert len(tool.regions) == 1 and set(tool.items[0]) == set(PANES)
    # Dragging the ROI on one pane moves it on all the others.
    item = tool.items[0]["denoised"]
    item.setPos((30, 50), finish=False)
    item.setSize((20, 10), finish=True)
    for key in PANES:
        other = tool.items[0][key]
        assert (other.pos().x(), other.pos().y()) == pytest.approx((30, 50))
        assert (other.size().x(), other.size().y()) == pytest.approx((20, 10))
    assert tool.regions[0] == Region("rect", 30, 50, 20, 10)
    noisy = window.state.result.display["noisy"][50:60, 30:50]
    assert tool.stats[0]["noisy"]["mean"] == pytest.approx(float(noisy.mean()))
    table = window.docks["roi"].widget()
    assert table.table.horizontalHeaderItem(0).text() == "Mean (HU)"
    assert table.text(0, 0) == f"{noisy.mean():.1f}"
    # A second ROI is the background: contrast and CNR appear for ROI 1.
    window.view_toolbar.action_roi_ellipse.trigger()
    window.view_toolbar.action_roi_ellipse.trigger()
    assert tool.contrast is not None
    columns = [table.table.horizontalHeaderItem(c).text() for c in range(table.table.columnCount())]
    cnr = tool.contrast["denoised"]["cnr"]
    row = [table.table.verticalHeaderItem(r).text() for r in range(table.table.rowCount())].index(
        "ROI 1 · Denoised"
    )
    assert table.text(row, columns.index("CNR")) == f"{cnr:.3f}"
    # New noise: the statistics follow the new result.
    before = tool.stats[0]["noisy"]["mean"]
    with qtbot.waitSignal(window.state.resultChanged, timeout=30000):
        window.controls.next_seed()
    assert tool.stats[0]["noisy"]["mean"] != before
    window.view_toolbar.action_roi_clear.trigger()
    assert tool.regions == [] and table.table.rowCount() == 0


def test_flicker_toggles_in_one_pane_keeping_zoom_and_window(window, open_study, qtbot):
    open_study(window, sample_path("ct"))
    panes, compare = window.panes, window.view_toolbar.compare
    view = panes.views["denoised"]
    view.scaleBy((0.5, 0.5))
    view.sigRangeChangedManually.emit(view.state["mouseEnabled"])
    zoomed = view.viewRect()
    zoom = panes.screen_pixels_per_image_pixel("denoised")
    window.view_toolbar.action_flicker.trigger()  # F: flicker on, showing the other image
    assert compare.mode == "flicker" and panes.visible_panes() == ("denoised",)
    assert compare.shown() == "noisy" and compare.overlay.isVisible()
    np.testing.assert_array_equal(compare.overlay.image, panes.data["noisy"])
    qtbot.wait(50)  # the 1×1 pane is laid out
    assert view.viewRect().center().x() == pytest.approx(zoomed.center().x(), abs=1.0)
    # The 1×1 pane is larger; the zoom (screen pixels per image pixel) is kept.
    assert panes.screen_pixels_per_image_pixel("denoised") == pytest.approx(zoom, rel=0.05)
    shown_region = view.viewRect()
    window.view_toolbar.action_flicker.trigger()
    assert compare.shown() == "denoised" and not compare.clip.isVisible()
    assert view.viewRect() == shown_region  # flicker keeps zoom and pan
    window.state.set_window(100.0, 200.0)
    assert tuple(compare.overlay.levels) == (0.0, 200.0)
    # On a timer.
    compare.set_running(True, 60)
    shown: list[str] = []
    compare.changed.connect(lambda: shown.append(compare.shown()))
    qtbot.waitUntil(lambda: len(set(shown)) == 2, timeout=3000)
    compare.set_running(False)
    # Choosing another layout ends the comparison.
    window.view_toolbar.set_layout("1x2")
    assert compare.mode == "off" and compare.clip.scene() is None


def test_swipe_divider_shows_each_side(window, open_study):
    open_study(window, sample_path("ct"))
    panes, compare = window.panes, window.view_toolbar.compare
    window.view_toolbar.action_swipe.trigger()
    assert compare.mode == "swipe" and window.view_toolbar.action_swipe.isChecked()
    compare.set_divider(0.25)
    assert compare.line.value() == pytest.approx(32.0)
    assert compare.clip.rect().width() == pytest.approx(32.0)  # B left of the divider
    compare.line.setValue(96.0)  # dragged
    assert compare.divider == pytest.approx(0.75)
    assert compare.clip.rect().width() == pytest.approx(96.0)
    assert compare.label.text() == "Swipe: Noisy | Denoised"
    window.view_toolbar.action_compare_off.trigger()
    assert compare.mode == "off" and panes.layout_name == "1x2"


class _Drag:
    """A stand-in for pyqtgraph's MouseDragEvent (left button, scene positions)."""

    def __init__(self, view, start, end, finish):
        self._start, self._end, self._finish = (
            view.mapViewToScene(start),
            view.mapViewToScene(end),
            finish,
        )
        self.accepted = False

    def button(self):
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def modifiers(self):
        from PySide6.QtCore import Qt

        return Qt.KeyboardModifier.NoModifier

    def buttonDownScenePos(self):  # noqa: N802 - pyqtgraph naming
        return self._start

    def scenePos(self):  # noqa: N802 - pyqtgraph naming
        return self._end

    def isFinish(self):  # noqa: N802 - pyqtgraph naming
        return self._finish

    def accept(self):
        self.accepted = True


def test_an_roi_is_drawn_by_dragging_on_a_pane(window, open_study):
    from PySide6.QtCore import QPointF

    from denoscope.app.widgets.image_panes import PANES
    from denoscope.core.roi import Region

    open_study(window, sample_path("ct"))
    tool = window.view_toolbar.rois
    view = window.panes.views["noisy"]
    window.view_toolbar.action_roi_ellipse.trigger()
    assert all(window.panes.views[k].drawing for k in PANES)
    view.mouseDragEvent(_Drag(view, QPointF(30, 40), QPointF(50, 50), False))
    view.mouseDragEvent(_Drag(view, QPointF(30, 40), QPointF(60, 70), True))
    assert len(tool.regions) == 1
    region = tool.regions[0]
    assert region.shape == "ellipse"
    assert (region.x, region.y, region.width, region.height) == pytest.approx((30, 40, 30, 30))
    other = tool.items[0]["denoised"]
    assert (other.size().x(), other.size().y()) == pytest.approx((30, 30))
    assert tool.armed is None and not view.drawing  # one ROI per drawing; dragging pans again
    assert tool.stats and tool.stats[0]["noisy"]["pixels"] > 0
    assert isinstance(region, Region)
