"""``python -m denoscope`` runs the command-line entry."""

from denoscope.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
