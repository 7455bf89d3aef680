"""``python -m ecr_patterns.cli``: the same as the ``ecr-patterns`` console script."""

from ecr_patterns.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
