"""The whole seed: build the world, COPY it into the five databases, write the accounts file."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edu_seed.accounts import (
    DEFAULT_ACCOUNTS_FILE,
    accounts_document,
    demo_accounts,
    write_accounts_file,
)
from edu_seed.aio import run_coroutine
from edu_seed.completion import SeedRun
from edu_seed.loader import LoadReport, Progress, load
from edu_seed.tables import tables
from edu_seed.world import World

DEMO_PASSWORD = "edu-demo-2026"
DEFAULT_RANDOM_SEED = 20_240_601


@dataclass
class SeedResult:
    world: World
    report: LoadReport
    build_seconds: float
    phases: dict[str, float]
    total_seconds: float
    demo: dict[str, dict[str, Any]]
    accounts_file: Path | None
    run: SeedRun


def password_hash(password: str, rounds: int | None = None) -> str:
    """One bcrypt hash for every seeded account, at the rounds identity itself uses."""
    from edu_common.passwords import hash_password

    if rounds is None:
        from edu_common.settings import load_settings

        rounds = load_settings("identity").bcrypt_rounds
    return hash_password(password, rounds)


async def seed_async(
    urls: dict[str, str],
    *,
    scale: float = 1.0,
    random_seed: int = DEFAULT_RANDOM_SEED,
    reset: bool = False,
    password: str = DEMO_PASSWORD,
    accounts_file: Path | None = DEFAULT_ACCOUNTS_FILE,
    accounts_sample: int = 1000,
    progress: Progress | None = None,
    bcrypt_rounds: int | None = None,
    run_id: str | None = None,
    only: Collection[str] | None = None,
) -> SeedResult:
    """Seed the five databases (or ``only`` those, completing run ``run_id`` elsewhere)."""
    started = time.perf_counter()
    run = SeedRun(run_id, random_seed, scale) if run_id else SeedRun.new(random_seed, scale)
    targets = {f: url for f, url in urls.items() if only is None or f in only}
    # Refuse early (before building anything) when there is data and no --reset.
    from edu_seed.loader import NotEmpty, filled_tables

    if not reset:
        refused = await filled_tables(targets)
        if refused:
            raise NotEmpty(
                "refusing to seed non-empty tables: "
                + ", ".join(refused)
                + " (use --reset to empty them first)"
            )
    phases = {"check": time.perf_counter() - started}
    hashed = password_hash(password, bcrypt_rounds)
    phases["bcrypt"] = time.perf_counter() - started - sum(phases.values())
    world = World.build(random_seed, scale, hashed)
    world.catalog()
    phases["build"] = time.perf_counter() - started - sum(phases.values())
    chosen = [t for t in tables(world) if t.service in targets]
    report = await load(targets, chosen, reset=reset, progress=progress, run=run)
    phases["load"] = time.perf_counter() - started - sum(phases.values())
    if accounts_file is not None:
        write_accounts_file(
            accounts_file,
            accounts_document(world, password, sample=accounts_sample, scale=scale),
        )
    phases["accounts"] = time.perf_counter() - started - sum(phases.values())
    return SeedResult(
        world=world,
        report=report,
        build_seconds=phases["build"],
        phases=phases,
        total_seconds=time.perf_counter() - started,
        demo=demo_accounts(world, password),
        accounts_file=accounts_file,
        run=run,
    )


def seed(urls: dict[str, str], **options: Any) -> SeedResult:
    """Synchronous entry point; see ``seed_async`` for the options."""
    return run_coroutine(seed_async(urls, **options))
