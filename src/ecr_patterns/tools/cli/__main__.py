"""``python -m ecr_patterns.tools.cli``: the same as the ``ecr-patterns`` console script."""

from ecr_patterns.tools.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
