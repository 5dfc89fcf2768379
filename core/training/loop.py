"""The training loop: blind-noise patches, AdamW, cosine schedule, early stopping, DDP.

:func:`train` runs the same way alone and under ``torchrun`` (see
:mod:`denoscope.core.training.distributed`). Rank 0 writes, after every epoch,
the resumable state, ``history.csv`` and ``loss_curve.png``; at the end the
best weights (lowest validation loss) go through
:func:`denoscope.core.checkpoint.save_model` as ``model.safetensors`` + card.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from denoscope.core.errors import DenoscopeError
from denoscope.core.training import checkpointing, curves
from denoscope.core.training.config import TrainConfig
from denoscope.core.training.dataset import (
    ImageStack,
    NoisyBatches,
    PatchSampler,
    ValidationItem,
    corpus_stacks,
    folder_stacks,
    is_corpus,
    validation_set,
)
from denoscope.core.training.distributed import (
    DistContext,
    all_mean,
    barrier,
    init_distributed,
    shutdown,
)
from denoscope.core.training.losses import make_loss
from denoscope.core.training.noise_mix import MODALITY_MIX, eval_settings

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a run produced (rank 0; other ranks get ``model_path=None``)."""

    model_path: Path | None
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    seconds: float
    history: list[dict[str, Any]]


def load_stacks(config: TrainConfig) -> tuple[list[ImageStack], list[ImageStack], str]:
    """Return (train, validation) stacks and a description of the data."""
    from denoscope.core.corpus import default_cache_dir

    data = Path(config.data) if config.data else default_cache_dir() / config.modality
    if is_corpus(data):
        train, val = corpus_stacks(data, "train"), corpus_stacks(data, "val")
        kind = f"corpus {data}"
    elif config.data is None:
        raise DenoscopeError(
            f"the {config.modality} corpus is not built",
            path=data,
            fix=f"run: denoscope corpus build --modality {config.modality} (or pass --data DIR)",
        )
    else:
        stacks = folder_stacks(data, modality=config.modality)
        train = [s for s in stacks if s.split == "train"]
        val = [s for s in stacks if s.split == "val"] or [s for s in stacks if s.split == "test"]
        kind = f"folder {data}"
    if not train:
        raise DenoscopeError("no training images", path=data)
    if not val:
        raise DenoscopeError("no validation images", path=data, fix="add more series or files")
    return train, val, kind


def forward_padded(
    net: torch.nn.Module,
    image: np.ndarray,
    device: torch.device,
    sigma: np.ndarray | None = None,
) -> np.ndarray:
    """Run the network on one (rows, cols) image, reflect-padded to its stride multiple.

    ``sigma`` (the per-pixel noise level map, same shape) is padded the same
    way and passed to networks with a noise-level input. A fixed-size network
    (``dense-cae``, whose dense bottleneck takes exactly ``fixed_size`` x
    ``fixed_size`` patches, so no padding can fit it to a validation image)
    runs as inference runs it: on overlapping patches of its size, planned and
    blended by :mod:`denoscope.core.inference`.
    """
    fixed = getattr(net, "fixed_size", None)
    if fixed:
        from denoscope.core.inference import _run_slice, tile_plan

        geometry = tile_plan(image.shape, net, tile=max(int(fixed), 256))
        flat = np.ascontiguousarray(image, dtype=np.float32)
        return _run_slice(flat, net, device, geometry, None, lambda: None)
    m = int(getattr(net, "stride_multiple", 1))
    h, w = image.shape
    ph, pw = (-h) % m, (-w) % m

    def pad(a: np.ndarray) -> torch.Tensor:
        a = np.pad(a, ((0, ph), (0, pw)), mode="reflect") if (ph or pw) else a
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))[None, None].to(device)

    x = pad(image)
    if getattr(net, "noise_level_input", False):
        y = net(x, noise_level=None if sigma is None else pad(sigma))
    else:
        y = net(x)
    return y[0, 0, :h, :w].detach().cpu().numpy()


def validate(
    net: torch.nn.Module,
    items: list[ValidationItem],
    loss_fn,
    device: torch.device,
    *,
    full_metrics: bool = False,
) -> dict[str, Any]:
    """Mean validation loss, and PSNR (plus SSIM with ``full_metrics``) per noise setting."""
    from denoscope.core.metrics import psnr, ssim

    net.eval()
    losses: list[float] = []
    per: dict[str, dict[str, list[float]]] = {}
    with torch.no_grad():
        for item in items:
            pred = forward_padded(net, item.noisy, device, item.sigma)
            losses.append(
                float(
                    loss_fn(
                        torch.from_numpy(pred)[None, None], torch.from_numpy(item.clean)[None, None]
                    )
                )
            )
            key = f"{item.noise}@{item.level:g}"
            row = per.setdefault(key, {"psnr": [], "noisy_psnr": [], "ssim": [], "noisy_ssim": []})
            row["psnr"].append(psnr(item.clean, pred, data_range=1.0))
            row["noisy_psnr"].append(psnr(item.clean, item.noisy, data_range=1.0))
            if full_metrics:
                row["ssim"].append(ssim(item.clean, pred, data_range=1.0))
                row["noisy_ssim"].append(ssim(item.clean, item.noisy, data_range=1.0))
    net.train()
    settings = {
        k: {m: round(float(np.mean(v)), 4) for m, v in row.items() if v}
        | {"images": len(row["psnr"])}
        for k, row in per.items()
    }
    return {
        "loss": float(np.mean(losses)),
        "psnr": float(np.mean([s["psnr"] for s in settings.values()])),
        "settings": settings,
    }


def _card(config: TrainConfig, command: str, train, val, data_kind, result, final, world):
    from denoscope.core.intensity import normalization_for
    from denoscope.core.model_card import DataSource, ModelCard, NoiseSpec, TrainingProvenance
    from denoscope.core.noise import NOISE_MODELS

    mix = MODALITY_MIX[config.modality]
    if config.modality == "ct":
        norm: dict[str, Any] | str = normalization_for(np.zeros((1, 1, 1)), "ct").model_dump(
            mode="json"
        )
    else:
        norm = "per-study robust percentiles 0.5 / 99.5 -> [0, 1] (denoscope.core.intensity)"
    sources: dict[tuple[str, str, str], int] = {}
    for role, stacks in (("train", train), ("validation", val)):
        for s in stacks:
            key = (s.source, s.licence, role)
            sources[key] = sources.get(key, 0) + int(s.frames.shape[0])
    notes = [
        f"Data: {data_kind}. Splits are by volume/patient; the test split was never used in training or model selection.",
        "Trained over the noise level ranges listed (weights per component in the training mix, "
        "denoscope.core.training.noise_mix), white Gaussian, the modality's physical noise and clean input.",
    ]
    if config.modality == "xray":
        notes.append(
            "X-ray training images are digitally reconstructed radiographs simulated from real CT volumes "
            "(HU -> mu = mu_water (1 + HU/1000) with bone weighting, line integrals at varying angles, crop); "
            "validation uses radiographs simulated from another patient's CT (pyradiomics lung1)."
        )
    if config.texture > 0:
        notes.append(
            f"{config.texture:.0%} of the patches carry inherent texture (white or slightly "
            "correlated grain, SD 0.002-0.03) in both the target and the input, which the "
            "noise-level map does not describe: the network learns to remove only the noise it "
            "is told of (denoscope.core.training.augment.inherent_texture)."
        )
    if config.modality == "ct":
        notes.append(
            "lowdose-ct training noise was rendered on whole slices into a bank "
            f"of {config.bank_size} slices (sinogram Poisson + FBP), patches cut from it."
        )
    init_command = None
    if config.init:
        from denoscope.core.checkpoint import load_card

        try:
            init_card = load_card(config.init)
            init_command = init_card.training.command if init_card.training else None
        except DenoscopeError:
            init_command = None
    return ModelCard(
        name=f"Denoscope {config.modality} {config.arch.get('arch', '')} v1",
        description=(
            f"Blind {config.modality.upper()} denoiser trained with `denoscope train` on patches of "
            f"{config.patch} px; input and output in [0, 1] after the modality's normalisation."
        ),
        architecture=config.arch,
        modality=config.modality,
        noise_models=[
            NoiseSpec(
                name=c.name, level_min=c.low, level_max=c.high, unit=NOISE_MODELS[c.name].unit
            )
            for c in mix
        ],
        normalization=norm,
        training_data=[
            DataSource(name=name, licence=lic, role=role, images=n)
            for (name, lic, role), n in sources.items()
        ],
        validation_metrics={
            "best_epoch": result["best_epoch"],
            "val_loss": round(result["best_val_loss"], 6),
            "settings": final["settings"],
            "note": "centre crops of the validation split; the held-out test split is evaluated separately "
            "with denoscope evaluate",
        },
        training=TrainingProvenance(
            command=command,
            seed=config.seed,
            epochs=result["epochs_run"],
            details={
                "config": config.model_dump(mode="json"),
                "world_size": world,
                "seconds": round(result["seconds"], 1),
                "optimizer": "AdamW",
                "initialised_from": config.init,
                "initialised_from_command": init_command,
                "schedule": "cosine annealing per epoch",
            },
        ),
        notes=notes,
    )


def train(
    config: TrainConfig, *, command: str = "", resume: bool = False, progress: bool = True
) -> TrainResult:
    """Train a denoiser; see the module docstring.

    Parameters
    ----------
    config : TrainConfig
        The run configuration.
    command : str, optional
        The command line, recorded in the card.
    resume : bool, optional
        Continue from ``<out>/checkpoint`` (written by an interrupted run).
    progress : bool, optional
        Show a tqdm progress bar (rank 0).

    Returns
    -------
    TrainResult
        Paths and the per-epoch history.
    """
    from torch.nn.parallel import DistributedDataParallel
    from tqdm import tqdm

    from denoscope.core.checkpoint import save_model
    from denoscope.core.model_naming import name_trained_model
    from denoscope.core.models import build_model

    ctx: DistContext = init_distributed(config.device)
    try:
        if config.threads:
            torch.set_num_threads(config.threads)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
        out = Path(config.out)
        torch.manual_seed(config.seed)
        net = build_model(config.arch).to(ctx.device)
        transfer_notes: list[str] = []
        if config.init:
            state = checkpointing.initial_weights(config.init)
            try:
                net.load_state_dict(state)
            except RuntimeError as error:
                if not config.init_transfer:
                    raise DenoscopeError(
                        "the starting weights do not fit this architecture",
                        path=config.init,
                        got=str(error).splitlines()[0],
                        fix="pass the same --arch/--arch-json as the run that made them, "
                        "or --init-transfer to adapt what fits",
                    ) from error
                from denoscope.core.models.weight_transfer import transfer_weights

                transfer_notes = transfer_weights(net, state)
                for line in transfer_notes:
                    log.info("init transfer: %s", line)
        uses_level = bool(getattr(net, "noise_level_input", False))
        model = DistributedDataParallel(net) if ctx.distributed else net
        optimizer = torch.optim.AdamW(
            net.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=config.epochs, eta_min=config.lr * config.lr_min_ratio
        )
        loss_fn = make_loss(config.loss)
        train_stacks, val_stacks, data_kind = load_stacks(config)
        rng = np.random.default_rng([config.seed, ctx.rank])
        sampler = PatchSampler(train_stacks, config.patch)
        batches = NoisyBatches(
            sampler,
            MODALITY_MIX[config.modality],
            rng,
            bank_size=config.bank_size,
            texture=config.texture,
        )
        val_items = validation_set(
            val_stacks,
            eval_settings(config.modality),
            n_images=config.val_images,
            crop=config.val_crop,
            seed=config.seed + 1,
        )
        history: list[dict[str, Any]] = []
        best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        best_loss, best_epoch, bad, start_epoch, spent = float("inf"), 0, 0, 1, 0.0
        if resume:
            info, best_state = checkpointing.load_state(
                out, model=net, optimizer=optimizer, scheduler=scheduler, rng=rng
            )
            history = info["history"]
            best_loss, best_epoch, bad = info["best_loss"], info["best_epoch"], info["bad_epochs"]
            start_epoch, spent = info["epoch"] + 1, info["seconds"]
            if ctx.distributed:
                # each rank resumes its own patch stream, offset by its rank
                rng.bit_generator.state = np.random.default_rng(
                    [config.seed, ctx.rank, start_epoch]
                ).bit_generator.state
        steps = max(1, -(-config.steps_per_epoch // ctx.world_size))
        t_start = time.perf_counter() - spent
        stop = False
        epoch = start_epoch - 1
        for epoch in range(start_epoch, config.epochs + 1):
            t0 = time.perf_counter()
            model.train()
            running = 0.0
            bar = tqdm(
                range(steps),
                desc=f"epoch {epoch}/{config.epochs}",
                disable=not (progress and ctx.is_main),
                mininterval=2.0,
                leave=False,
            )
            for _ in bar:
                noisy, clean, sigma = batches.batch_with_sigma(config.batch_size)
                noisy_t = torch.from_numpy(noisy).to(ctx.device)
                clean_t = torch.from_numpy(clean).to(ctx.device)
                if uses_level:
                    pred = model(noisy_t, noise_level=torch.from_numpy(sigma).to(ctx.device))
                else:
                    pred = model(noisy_t)
                loss = loss_fn(pred, clean_t)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                running += float(loss.detach())
                bar.set_postfix(loss=f"{running / (bar.n + 1):.5f}", refresh=False)
            train_loss = all_mean(running / steps, ctx)
            lr = optimizer.param_groups[0]["lr"]
            scheduler.step()
            val = validate(net, val_items, loss_fn, ctx.device)
            row = {
                "epoch": epoch,
                "train_loss": round(train_loss, 7),
                "val_loss": round(val["loss"], 7),
                "val_psnr": round(val["psnr"], 4),
                "lr": lr,
                "seconds": round(time.perf_counter() - t0, 2),
            }
            row |= {f"psnr_{k}": v["psnr"] for k, v in val["settings"].items()}
            history.append(row)
            if val["loss"] < best_loss:
                best_loss, best_epoch, bad = val["loss"], epoch, 0
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            else:
                bad += 1
            elapsed = time.perf_counter() - t_start
            if ctx.is_main:
                log.info(
                    "epoch %d: train %.5f val %.5f psnr %.2f",
                    epoch,
                    train_loss,
                    val["loss"],
                    val["psnr"],
                )
                if progress:
                    tqdm.write(
                        f"epoch {epoch}: train loss {train_loss:.5f}, val loss {val['loss']:.5f}, "
                        f"val PSNR {val['psnr']:.2f} dB, {row['seconds']:.0f} s"
                    )
                out.mkdir(parents=True, exist_ok=True)
                checkpointing.save_state(
                    out,
                    model=net,
                    best_model=best_state,
                    optimizer=optimizer,
                    scheduler=scheduler,
                    rng=rng,
                    info={
                        "epoch": epoch,
                        "history": history,
                        "best_loss": best_loss,
                        "best_epoch": best_epoch,
                        "bad_epochs": bad,
                        "seconds": elapsed,
                        "config": config.model_dump(mode="json"),
                    },
                )
                curves.write_history_csv(history, out / "history.csv")
                curves.plot_loss_curve(
                    history,
                    out / "loss_curve.png",
                    title=f"{config.modality} {config.arch.get('arch', '')}: loss over epochs",
                )
            if bad >= config.patience:
                stop = True
            if config.max_minutes is not None and elapsed > config.max_minutes * 60:
                stop = True
            if stop:
                break
        seconds = time.perf_counter() - t_start
        barrier(ctx)
        model_path = None
        if ctx.is_main:
            net.load_state_dict(best_state)
            final = validate(net, val_items, loss_fn, ctx.device, full_metrics=True)
            result = {
                "best_epoch": best_epoch,
                "best_val_loss": best_loss,
                "epochs_run": epoch,
                "seconds": seconds,
            }
            card = _card(
                config, command, train_stacks, val_stacks, data_kind, result, final, ctx.world_size
            )
            if uses_level:
                card.notes.append(
                    "Non-blind: the network takes a per-pixel noise level map (Gaussian-equivalent "
                    "sigma in [0, 1] units, denoscope.core.noise.sigma_map): from the noise model "
                    "when the noise is synthetic, estimated from the image on real input; "
                    "--strength scales it."
                )
            if transfer_notes:
                card.notes.append(
                    "Warm start from another configuration (denoscope.core.models.weight_transfer): "
                    + "; ".join(transfer_notes)
                )
            model_path = out / "model.safetensors"
            save_model(model_path, net, card)
            name_trained_model(model_path)
        barrier(ctx)
        return TrainResult(model_path, epoch, best_epoch, best_loss, seconds, history)
    finally:
        shutdown(ctx)
