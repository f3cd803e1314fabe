"""The main job of `make demo` (also `pydl4j-transfer demo`): see pydl4j_transfer/demo.py."""

import sys

from pydl4j_transfer.demo import main

if __name__ == "__main__":
    sys.exit(main())
