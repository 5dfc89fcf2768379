"""The review set-up is kept per modality across restarts, and "Reset to defaults" forgets it."""

from __future__ import annotations

from denoscope.app.review_setup import load_setup


def _new_window(qtbot, settings, tiny_model):
    from denoscope.app.main_window import MainWindow

    win = MainWindow(settings, series_metrics=False)
    win.state.set_params(model_path=tiny_model, device="cpu")
    qtbot.addWidget(win)
    win.show()
    return win


def test_setup_survives_a_restart_for_the_same_modality(
    qtbot, settings, tiny_model, open_study
) -> None:
    from denoscope.core.resources import sample_path

    first = _new_window(qtbot, settings, tiny_model)
    open_study(first, sample_path("ct"), modality="ct")
    first.state.set_params(noise="poisson", level=2000.0, strength=0.7, baseline=None)
    first.state.set_diff_mode("residual")
    first.state.set_window(60.0, 350.0)
    first.view_toolbar.set_layout("2x2")
    qtbot.wait(50)
    first.close()
    first.controller.shutdown()
    settings.sync()

    second = _new_window(qtbot, settings, tiny_model)
    open_study(second, sample_path("ct"))
    params = second.state.params
    assert (params.noise, params.level, params.strength, params.baseline) == (
        "poisson",
        2000.0,
        0.7,
        None,
    )
    assert second.state.diff_mode == "residual"
    assert second.state.window == (60.0, 350.0)
    assert second.panes.layout_name == "2x2"
    assert second.state.result.params.noise == "poisson"  # the first result used it

    open_study(second, sample_path("mri"))  # another modality: its own (empty) set-up
    # No MRI set-up yet: the MRI's physical noise (issue 13), then saved.
    assert load_setup(settings, "mri")["noise"] == "rician"
    second.review_setup.reset_to_defaults()
    assert load_setup(settings, "ct") == {} and load_setup(settings, "mri") == {}
    assert second.state.params.noise == "gaussian" and second.state.params.baseline == "median"
    assert second.state.diff_mode == "denoised-truth"
    assert second.panes.layout_name == "1x2"
    second.controller.shutdown()


def test_an_explicit_choice_wins_over_the_saved_setup(
    qtbot, settings, tiny_model, open_study
) -> None:
    from denoscope.core.resources import sample_path

    settings.qsettings.setValue("review/ct", '{"noise": "poisson", "level": 2000.0}')
    win = _new_window(qtbot, settings, tiny_model)
    open_study(win, sample_path("ct"), modality="ct", noise="gaussian")
    assert win.state.params.noise == "gaussian"
    assert win.state.params.level < 1.0  # the Gaussian default, not Poisson's photon count
    win.controller.shutdown()


def test_a_broken_saved_setup_is_ignored(qtbot, settings, tiny_model, open_study) -> None:
    from denoscope.core.resources import sample_path

    settings.qsettings.setValue("review/ct", '{"noise": "nope", "level": "high", "diff_mode": 3')
    win = _new_window(qtbot, settings, tiny_model)
    open_study(win, sample_path("ct"), modality="ct")
    assert win.state.params.noise == "lowdose-ct"  # the CT's physical noise (issue 13)
    assert win.state.result is not None
    win.controller.shutdown()


def test_trust_overlays_are_kept_per_modality_and_reset(
    qtbot, settings, tiny_model, open_study, settle
) -> None:
    from denoscope.app.widgets.trust_panel import DEFAULT_OVERLAYS
    from denoscope.core.resources import sample_path

    chosen = {"map": "removed", "target": "difference", "opacity": 35}
    first = _new_window(qtbot, settings, tiny_model)
    open_study(first, sample_path("ct"), modality="ct")
    first.trust.apply_overlay_setup(chosen)
    qtbot.waitUntil(lambda: first.trust.current is not None, timeout=30_000)
    settle(first)
    first.close()
    first.controller.shutdown()
    settings.sync()
    assert load_setup(settings, "ct")["overlays"] == chosen

    second = _new_window(qtbot, settings, tiny_model)
    assert second.trust.overlay_setup() == DEFAULT_OVERLAYS  # a new window starts plain
    open_study(second, sample_path("ct"))
    assert second.trust.overlay_setup() == chosen  # restored for the next CT study
    qtbot.waitUntil(lambda: second.trust.current is not None, timeout=30_000)  # and drawn
    assert second.trust.current.key == "removed"
    assert second.trust.overlay in second.panes.views["difference"].addedItems

    second.review_setup.reset_to_defaults()
    assert second.trust.overlay_setup() == DEFAULT_OVERLAYS
    assert load_setup(settings, "ct") == {}
    settle(second)
    second.controller.shutdown()


def test_a_broken_saved_overlay_is_ignored(qtbot, settings, tiny_model, open_study) -> None:
    from denoscope.app.widgets.trust_panel import DEFAULT_OVERLAYS
    from denoscope.core.resources import sample_path

    saved = '{"overlays": {"map": "nope", "target": "sideways", "opacity": 500}}'
    settings.qsettings.setValue("review/ct", saved)
    win = _new_window(qtbot, settings, tiny_model)
    open_study(win, sample_path("ct"), modality="ct")
    assert win.trust.overlay_setup() == DEFAULT_OVERLAYS
    win.controller.shutdown()
