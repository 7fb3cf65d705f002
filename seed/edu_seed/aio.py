"""Running a coroutine from synchronous code without disturbing the caller's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a private event loop.

    Unlike ``asyncio.run`` this leaves the thread's current event loop alone: in-process
    callers (tests, `edu up`) may have Lambda handlers whose Mangum cycles and asyncpg pools
    live on that loop.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
