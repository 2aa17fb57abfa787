"""A progress bar on stderr for batches that take more than a couple of seconds.

Hidden when stderr is not a terminal (CI, redirected output) and for quick runs.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from tqdm import tqdm

SHOW_AFTER_SECONDS = 2


@contextmanager
def row_progress(label: str) -> Iterator[Callable[[int], None]]:
    bar = tqdm(desc=label, unit="行", delay=SHOW_AFTER_SECONDS, disable=None, file=sys.stderr, leave=False)
    try:
        yield lambda rows: bar.update(rows - bar.n)
    finally:
        bar.close()
