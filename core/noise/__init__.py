"""Seeded noise simulators on [0, 1] images, one module per physics, and their registry.

Every simulator is ``f(image01, level, *, rng) -> float32 (rows, cols) in [0, 1]``
with ``rng`` passed to :func:`numpy.random.default_rng`. :data:`NOISE_MODELS`
lists them with unit, level range and per-modality default:

=================  ==========================  ==============  =====================
name               level unit                  range           default (mri/ct/xray)
=================  ==========================  ==============  =====================
gaussian           σ, [0, 1] units              0 – 1           0.1
gaussian-report1   fixed σ = 0.3·1.5 = 0.45    fixed           0.45
poisson            photons at full scale       1 – 1e5         100
rician             σ, fraction of the max      0 – 0.5         0.05
lowdose-ct         dose fraction               0.001 – 1       0.25 (CT 0.1)
xray               I0 photons per pixel        10 – 1e6        1000
=================  ==========================  ==============  =====================
"""

from denoscope.core.noise.gaussian import gaussian_noise, gaussian_report1
from denoscope.core.noise.lowdose_ct import lowdose_ct_noise
from denoscope.core.noise.poisson import poisson_noise
from denoscope.core.noise.registry import (
    NOISE_MODELS,
    NoiseModel,
    add_noise,
    get_noise_model,
)
from denoscope.core.noise.rician import rician_noise
from denoscope.core.noise.xray import xray_noise

__all__ = [
    "NOISE_MODELS",
    "NoiseModel",
    "add_noise",
    "gaussian_noise",
    "gaussian_report1",
    "get_noise_model",
    "lowdose_ct_noise",
    "poisson_noise",
    "rician_noise",
    "xray_noise",
]
