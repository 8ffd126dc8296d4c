"""gunicorn hooks the Procfile loads (`--config python:bot.gunicorn_config`): steady reply times per worker."""

from __future__ import annotations

import gc
import os
from typing import Any

# Each worker tells the master it is alive by os.fchmod on a file, every time round its loop: on a disk-backed
# /tmp that call can block the worker while the disk is busy (gunicorn's docs, "blocking os.fchmod"), and
# every parent it is serving waits. /dev/shm is memory. A host without it keeps gunicorn's default.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"


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
