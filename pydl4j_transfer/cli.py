"""The ``pydl4j-transfer`` command line (also ``python -m pydl4j_transfer``).

Layer 4. Each sub-command is a small function registered in ``COMMANDS``; library errors
become a one-line message and a non-zero exit (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import platform
import sys

from pydl4j_transfer.errors import Pydl4jTransferError

log = logging.getLogger("pydl4j_transfer")


def _version_of(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cmd_env(args) -> int:
    """One ``key: value`` line each for the pieces a bug report needs."""
    import pydl4j_transfer

    lines = [
        ("pydl4j-transfer", pydl4j_transfer.__version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("platform", platform.platform()),
        ("numpy", _version_of("numpy")),
    ]
    try:
        import torch

        cuda = torch.cuda.is_available()
        lines += [
            ("torch", torch.__version__),
            ("torch threads", str(torch.get_num_threads())),
            ("cuda available", str(cuda)),
            ("cuda device", torch.cuda.get_device_name(0) if cuda else "none"),
        ]
    except ImportError:
        lines.append(("torch", "not installed"))
    lines.append(("jpype", _version_of("JPype1")))
    from pydl4j_transfer import dl4j_backend

    try:
        facade = dl4j_backend.start_jvm()
        lines += [
            ("java", dl4j_backend.java_version()),
            ("dl4j", str(facade.dl4jVersion())),
            ("nd4j backend", str(facade.nd4jBackend())),
        ]
        status = 0
    except Pydl4jTransferError as exc:
        first = str(exc).splitlines()[0]
        lines += [("java", "unavailable"), ("dl4j", f"unavailable ({first})")]
        status = 0 if not args.require_dl4j else 1
    if args.classpath:
        import os

        lines.append(("classpath", os.pathsep.join(dl4j_backend.default_classpath())))
    for key, value in lines:
        print(f"{key}: {value}")
    return status


COMMANDS = {
    "env": (cmd_env, "print versions of python, numpy, torch, java, jpype and DL4J"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pydl4j-transfer", description="DL4J models in Python.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    env = sub.add_parser("env", help=COMMANDS["env"][1])
    env.add_argument("--classpath", action="store_true", help="also print the JVM classpath")
    env.add_argument("--require-dl4j", action="store_true", help="exit 1 if the JVM cannot start")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(message)s")
    func = COMMANDS[args.command][0]
    try:
        return func(args)
    except Pydl4jTransferError as exc:
        if args.debug:
            raise
        print(f"pydl4j-transfer {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
