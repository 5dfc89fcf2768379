"""Headless subcommands of ``denoscope``: one module per command.

A module here exposes ``register(subparsers)`` and imports heavy libraries
only inside the function it registers, so ``denoscope --help`` stays fast.
"""
