"""Layer configurations (``org.deeplearning4j.nn.conf.layers``), one module per family.

Every module of this package is imported here, so a new family file registers its classes (and
``pydl4j_transfer.conf`` exports them) without being listed anywhere.
"""

import importlib
import pkgutil

MODULES = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
