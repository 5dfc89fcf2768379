"""Entry script of the frozen desktop build: ``Denoscope [PATH]`` opens the viewer.

``Denoscope --cli COMMAND ...`` runs any ``denoscope`` subcommand instead (used
by the smoke test: ``Denoscope --cli view --sample ct --screenshot OUT.png``).
"""

import sys

from denoscope.cli import main, main_viewer

if __name__ == "__main__":
    if sys.argv[1:2] == ["--cli"]:
        raise SystemExit(main(sys.argv[2:]))
    raise SystemExit(main_viewer())
