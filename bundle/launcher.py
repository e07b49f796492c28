"""The frozen app's entry: the same ``main`` as the installed ``interview-ready`` command."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
