"""Evaluation of a model against noisy input and classical baselines on a folder or corpus split."""
