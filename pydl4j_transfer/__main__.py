"""``python -m pydl4j_transfer``: the same as the ``pydl4j-transfer`` command."""

import sys

from pydl4j_transfer.cli import main

sys.exit(main())
