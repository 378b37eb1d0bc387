"""The first-paint floor: the baseline's one table, after only what must come before the cockpit's first frame.

``python bench/floor_app.py CONFIG CACHE_DIR SOURCE`` checks the config as the cockpit does
(``load_config``: pydantic, each source's options; a bad one is refused before any screen opens)
and reads the source's cached state into the cockpit's models, then shows the cached alert names
in :class:`bench.baseline_app.BaselineApp`. No engine, no panels, no status bar: the cockpit
cannot paint its first frame sooner than this, whatever its screens do, as long as the config is
checked with pydantic before the screen opens and the first frame holds the cache.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str]) -> int:
    gc.disable()  # as the cockpit command starts (cockpit.core.startup)
    from baseline_app import BaselineApp  # beside this script (sys.path[0])

    from cockpit.engine.cache import CacheStore
    from cockpit.engine.config import load_config

    load_config(argv[1])
    store = CacheStore(Path(argv[2]))
    state = store.load(argv[3])
    names = [getattr(item, "name", "") for item in (state.items if state else [])]
    BaselineApp(names).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
