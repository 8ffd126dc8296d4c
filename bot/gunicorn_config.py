"""gunicorn hooks the Procfile loads (`--config python:bot.gunicorn_config`): steady reply times per worker."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Once a worker has the app loaded, take what loading built out of the garbage collector's rounds.

    The loaded app is about 150,000 long-lived objects (NLU tables, wording, compiled statements). Python's
    full collection walks all of them, which stalled a worker for 80-90 ms every thousand turns or so, with
    every parent that worker was serving waiting behind it. Frozen, they are never walked again; what turns
    allocate is collected as before. (With --preload, freezing also keeps forked workers from copying the
    pages the collector would otherwise touch.)
    """
    gc.collect()
    gc.freeze()
