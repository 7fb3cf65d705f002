"""Restore safety under Lambda SnapStart: nothing an environment must own alone is shared by
the environments restored from one snapshot.

"Handling uniqueness with Lambda SnapStart"
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html): every environment
resumes from the same memory, so what INIT created is the same in all of them. For these
functions that is:

- the ``random`` module's state, seeded once at import: reseeded after each restore;
- the event loop Mangum creates at import, and whatever INIT left on it (a pool's connections,
  their callbacks): replaced by a new loop after each restore (Python 3.12 does the same in a
  forked child, which is how the local host restores; a Lambda restore is no fork);
- the database pool, created lazily on the first invocation, so never in a snapshot; it is
  closed before the snapshot anyway and forgotten after a restore, so that no connection is
  ever used by two environments.

The hooks come from ``snapshot-restore-py``, which AWS's Python runtimes include; where it is
not installed (tests calling the handler directly) there is nothing to register.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from edu_common.db import Database

__all__ = ["make_restore_safe"]

logger = logging.getLogger(__name__)


def make_restore_safe(database: Database) -> bool:
    """Register the hooks for ``database``'s function; False where SnapStart's library is
    missing."""
    try:
        from snapshot_restore_py import (
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(_before_snapshot, database)
    register_after_restore(_after_restore, database)
    return True


def _before_snapshot(database: Database) -> None:
    """No connection goes into the snapshot."""
    if database.has_pool:
        asyncio.get_event_loop().run_until_complete(database.close())


def _after_restore(database: Database) -> None:
    random.seed()  # from os.urandom: a sequence of this environment's own
    with contextlib.suppress(RuntimeError):
        inherited = asyncio.get_event_loop()
        if not inherited.is_running():
            inherited.close()  # closes this process's copies of the snapshot's descriptors
    asyncio.set_event_loop(asyncio.new_event_loop())
    database.forget_pool()
    logger.info("restored from a SnapStart snapshot: random reseeded, new event loop")
