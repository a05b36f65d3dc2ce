"""`python -m bench [NAME …]`: run every benchmark module in bench/ (or only those named)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def benchmark_names() -> list[str]:
    # Any bench/NAME.py with a main() is a benchmark; _private modules are helpers.
    here = str(Path(__file__).resolve().parent)
    return sorted(module.name for module in pkgutil.iter_modules([here])
                  if not module.name.startswith("_"))


def main(argv: list[str]) -> int:
    available = benchmark_names()
    # `python -m bench load --users 20`: options after the names go to each benchmark named.
    first_option = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    argv, options = argv[:first_option], argv[first_option:]
    chosen = argv or available
    unknown = [name for name in chosen if name not in available]
    if unknown:
        print(f"bench: no benchmark named {', '.join(unknown)}; there are "
              f"{', '.join(available)}.", file=sys.stderr)
        return 2
    status = 0
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== {name}", flush=True)
        # A benchmark may return an exit status; the first failure is the run's, but the
        # others still run so one broken benchmark does not hide the rest's figures.
        outcome = module.main(options) if options else module.main()
        if isinstance(outcome, int) and outcome and not status:
            status = outcome
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
