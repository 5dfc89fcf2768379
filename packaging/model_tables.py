"""Regenerate the shipped models' result tables from their cards (run by evaluate_models.sh).

Reads ``models/<m>.json`` (the shipped model) and ``models/vN/<m>.json`` (the previous
version: the newest archived folder ``models/v1``, ``models/v2``, ...), both updated by ``denoscope evaluate --update-card``, then:

1. records the previous version's test numbers in the shipped card under
   ``validation_metrics["previous_version"]`` (its name, test and first-report means);
2. rewrites the block between ``<!-- results:begin -->`` and ``<!-- results:end -->`` in
   ``models/README.md`` (every setting, with the bar checks) and in ``README.md``
   (the summary table).

Only numbers already in the cards are printed: nothing here measures anything.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
MODALITIES = ("mri", "ct", "xray")
LABELS = {"mri": "MRI", "ct": "CT", "xray": "X-ray"}
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _write(path: Path, text: str) -> None:
    from denoscope.core.io.outputs import write_text

    write_text(path, text, overwrite=True)


def _card(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def _cell(entry: dict | None) -> str:
    if not entry:
        return "–"
    return (
        f"{_num(entry.get('psnr'), '.2f')} / {_num(entry.get('ssim'), '.3f')} / "
        f"{_num(entry.get('lpips'), '.3f')} / {_num(entry.get('grid'), '.2f')}"
    )


def _mark(flag: object) -> str:
    return {True: "yes", False: "**no**", None: "–"}.get(flag, "–")  # type: ignore[arg-type]


def modality_section(m: str, card: dict, previous: dict | None) -> str:
    """Markdown: every test setting of one modality, against the previous version, BM3D,
    NL-means and the noisy input."""
    test = card["validation_metrics"].get("test", {})
    old = (previous or {}).get("validation_metrics", {}).get("test", {})
    lines = [
        f"### {LABELS[m]} (`{m}.safetensors`, {card['name']}); previous: "
        f"{(previous or {}).get('name', '–')}",
        "",
        f"Test split, {test.get('protocol', {}).get('images', '?')} images, centre crop "
        f"{test.get('protocol', {}).get('crop', '?')} px. Cells: PSNR (dB) / SSIM / LPIPS / grid "
        "index. Bars: PSNR ≥ BM3D + 0.5 dB, SSIM ≥ BM3D, LPIPS ≤ BM3D, grid energy ≤ BM3D's "
        "(the error's period-2 energy over the noisy input's, mean over images, shown as model "
        "vs BM3D; the grid index in the cells describes the error's shape, see "
        "`core/evaluation/report.py: relative_grid_energy`); no harm: model PSNR ≥ input PSNR "
        "on every image. At the lowest levels only 'no harm' is a bar.",
        "",
        "| noise | model | previous | BM3D | NL-means | noisy | PSNR bar | SSIM bar "
        "| LPIPS bar | grid bar | no harm |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setting, methods in test.get("means", {}).items():
        bar = test.get("bar", {}).get(setting, {})
        v1 = old.get("means", {}).get(setting, {}).get("model")
        lines.append(
            f"| {setting} | {_cell(methods.get('model'))} | {_cell(v1)} | "
            f"{_cell(methods.get('bm3d'))} | {_cell(methods.get('nlmeans'))} | "
            f"{_cell(methods.get('noisy'))} | {_mark(bar.get('psnr_bar_met'))} "
            f"({bar.get('psnr_minus_bm3d', '–')}) | {_mark(bar.get('ssim_bar_met'))} | "
            f"{_mark(bar.get('lpips_bar_met'))} | {_mark(bar.get('grid_bar_met'))} "
            f"({_num(bar.get('grid_energy_model'), '.3f')} vs "
            f"{_num(bar.get('grid_energy_bm3d'), '.3f')}) | "
            f"{_mark(bar.get('no_harm_met'))} |"
        )
    report1 = card["validation_metrics"].get("report1_protocol", {})
    old1 = (previous or {}).get("validation_metrics", {}).get("report1_protocol", {})
    for setting, methods in report1.get("means", {}).items():
        v1 = old1.get("means", {}).get(setting, {}).get("model")
        bar = report1.get("bar", {}).get(setting, {})
        lines.append(
            f"| first report's protocol ({setting}, 128 px) | {_cell(methods.get('model'))} | "
            f"{_cell(v1)} | {_cell(methods.get('bm3d'))} | {_cell(methods.get('nlmeans'))} | "
            f"{_cell(methods.get('noisy'))} | "
            f"{'yes' if bar.get('psnr_minus_bm3d', -1) >= 0 else '**no**'} (≥ BM3D: "
            f"{bar.get('psnr_minus_bm3d', '–')}) | {_mark(bar.get('ssim_bar_met'))} | – | – | "
            f"{_mark(bar.get('no_harm_met'))} |"
        )
    lesions = sorted(MODELS.glob(f"{m}_lesions_*.json"))
    if lesions:
        lines += [
            "",
            "Faint lesions (retained contrast and lesions lost, see the lesion files):",
            "",
        ]
        for path in lesions:
            lines.append(f"- [`{path.name}`]({path.name.replace('.json', '.md')})")
    return "\n".join(lines) + "\n"


def short(entry: dict | None) -> str:
    """PSNR / SSIM / LPIPS of one mean entry (the README's summary cells)."""
    if not entry:
        return "–"
    return (
        f"{_num(entry.get('psnr'), '.2f')} / {_num(entry.get('ssim'), '.3f')} / "
        f"{_num(entry.get('lpips'), '.3f')}"
    )


def summary_table(cards: dict[str, dict]) -> str:
    """Markdown: the README's one-table summary (PSNR / SSIM / LPIPS per method)."""
    lines = [
        "| modality, noise | Denoscope (shipped) | BM3D | previous version | noisy |",
        "|---|---|---|---|---|",
    ]
    for m, (card, previous) in cards.items():
        test = card["validation_metrics"].get("test", {})
        old = (previous or {}).get("validation_metrics", {}).get("test", {})
        for setting, methods in test.get("means", {}).items():
            v1 = old.get("means", {}).get(setting, {}).get("model")
            lines.append(
                f"| {LABELS[m]}, {setting} | {short(methods.get('model'))} | "
                f"{short(methods.get('bm3d'))} | {short(v1)} | {short(methods.get('noisy'))} |"
            )
    return "\n".join(lines) + "\n"


UNMET = "Bars not met on the held-out test split: "

_PARTS = (
    ("psnr_bar_met", "PSNR >= BM3D + 0.5 dB (margin {psnr_minus_bm3d} dB)"),
    ("ssim_bar_met", "SSIM >= BM3D"),
    ("lpips_bar_met", "LPIPS <= BM3D"),
    ("grid_bar_met", "grid energy <= BM3D's ({grid_energy_model} vs {grid_energy_bm3d})"),
    ("no_harm_met", "no harm on every image ({worse} worse than their input)"),
)


def unmet_bars(card: dict) -> list[str]:
    """One line per test setting with the bars it misses (lowest levels: only 'no harm')."""
    lines = []
    for setting, bar in card["validation_metrics"].get("test", {}).get("bar", {}).items():
        lowest = setting.rpartition("@")[2] in ("0.005", "1", "100000")
        missed = []
        for key, text in _PARTS:
            if lowest and key != "no_harm_met":
                continue
            if bar.get(key) is False:
                worse = ", ".join(bar.get("images_worse_than_input", []))
                missed.append(
                    text.format(
                        psnr_minus_bm3d=bar.get("psnr_minus_bm3d"),
                        worse=worse,
                        grid_energy_model=bar.get("grid_energy_model"),
                        grid_energy_bm3d=bar.get("grid_energy_bm3d"),
                    )
                )
        if missed:
            lines.append(f"{setting}: " + ", ".join(missed))
    return lines


def replace_block(path: Path, block: str) -> None:
    """Replace the text between the result markers of ``path`` (left alone without markers)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        print(f"{path}: no {BEGIN} marker; left unchanged")
        return
    _write(path, pattern.sub(lambda _m: f"{BEGIN}\n{block}{END}", text))
    print(f"updated {path}")


def previous_folder() -> Path:
    """The newest archived version folder (``models/v1``, ``models/v2``, ...)."""
    folders = [p for p in MODELS.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
    return max(folders, key=lambda p: int(p.name[1:]), default=MODELS / "v1")


def main() -> int:
    """Update the cards' previous-version entries and both result blocks."""
    cards: dict[str, tuple[dict, dict | None]] = {}
    for m in MODALITIES:
        path, old_path = MODELS / f"{m}.json", previous_folder() / f"{m}.json"
        if not path.is_file():
            continue
        card = _card(path)
        previous = _card(old_path) if old_path.is_file() else None
        if previous is not None:
            vm = previous.get("validation_metrics", {})
            card["validation_metrics"]["previous_version"] = {
                "name": previous.get("name"),
                "weights_sha256": previous.get("weights_sha256"),
                "test": vm.get("test"),
                "report1_protocol": vm.get("report1_protocol"),
            }
            _write(path, json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        card["notes"] = [n for n in card.get("notes", []) if not n.startswith(UNMET)]
        unmet = unmet_bars(card)
        if unmet:
            card["notes"].append(UNMET + "; ".join(unmet) + " (see models/README.md).")
        _write(path, json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        cards[m] = (card, previous)
    sections = "\n".join(modality_section(m, c, p) for m, (c, p) in cards.items())
    replace_block(MODELS / "README.md", sections)
    replace_block(ROOT / "README.md", summary_table(cards))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
