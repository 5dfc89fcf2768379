"""Training: patch datasets, noise mixing, losses, the (DDP-ready) loop, checkpoints, curves."""
