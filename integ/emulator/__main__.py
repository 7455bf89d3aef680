"""``python -m integ.emulator [-H 127.0.0.1] [-p PORT]``: moto's server with :mod:`integ.emulator.patches` applied.

Takes moto's own server options (see ``moto_server --help``); binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from moto.server import main as moto_server

    from integ.emulator import patches

    patches.apply()
    moto_server(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
