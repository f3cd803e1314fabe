"""Converters per layer family. Every module of this package is imported here, which fills LAYER_CONVERTERS:
a new family file needs no listing anywhere."""

import importlib
import pkgutil

MODULES = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
