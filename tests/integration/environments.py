"""One execution environment of a function, built from explicit settings.

What ``<function>.handler`` does at import (an app, then the handler ``template.yaml`` names),
for a test that needs its own settings or several environments side by side. Mangum runs an
invocation on the calling thread's event loop, so the pool is made, and must be closed, there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

from edu_common.api import lambda_handler
from edu_common.db import Database
from edu_common.deps import DATABASE
from tests.support.lambda_api import HandlerClient


class Environment(HandlerClient):
    """A client of ``app``'s Lambda handler: one execution environment of ``function``."""

    def __init__(self, app: FastAPI, function: str) -> None:
        self.app = app
        super().__init__(lambda_handler(app), function)

    @property
    def database(self) -> Database:
        return DATABASE.of(self.app)

    def open_pool(self) -> None:
        """Make the pool now, as an environment's first invocation would."""
        asyncio.get_event_loop().run_until_complete(self.database.pool())

    def close(self) -> None:
        """Close the pool, on the event loop of the thread that used the environment."""
        asyncio.get_event_loop().run_until_complete(self.database.close())


def in_parallel[T](
    environments: list[Environment], call: Callable[[Environment, int], T]
) -> list[T]:
    """``call(environment, index)`` for every environment at the same instant, as concurrent
    execution environments serve requests: each on its own thread and event loop, its pool
    made first (so the calls race in the database, not for connections), all released by one
    barrier."""
    barrier = threading.Barrier(len(environments))

    def run(index: int) -> T:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # Mangum runs the app on the thread's current loop
        environment = environments[index]
        try:
            environment.open_pool()
            barrier.wait(timeout=30)
            return call(environment, index)
        finally:
            environment.close()
            asyncio.set_event_loop(None)
            loop.close()

    with ThreadPoolExecutor(max_workers=len(environments)) as pool:
        return list(pool.map(run, range(len(environments))))
