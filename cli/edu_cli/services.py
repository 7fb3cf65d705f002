"""The five functions as the CLI sees them: their packages, migrations and databases."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

from edu_common.migrations import schema_of
from edu_common.settings import SERVICES, Settings, load_settings


@dataclass(frozen=True)
class Service:
    name: str

    @property
    def package(self) -> ModuleType:
        return importlib.import_module(self.name)

    @property
    def migrations(self) -> Path:
        return schema_of(self.package).migrations

    def settings(self) -> Settings:
        return load_settings(self.name)

    @property
    def database_url(self) -> str:
        return self.settings().database_url

    @property
    def database_name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    @property
    def server_url(self) -> str:
        """The same server's maintenance database, to create this one from."""
        return urlunsplit(urlsplit(self.database_url)._replace(path="/postgres"))


ALL: tuple[Service, ...] = tuple(Service(name) for name in SERVICES)


def select(names: list[str] | None) -> list[Service]:
    if not names:
        return list(ALL)
    unknown = sorted(set(names) - set(SERVICES))
    if unknown:
        raise ValueError(f"unknown function(s): {', '.join(unknown)}; choose from {SERVICES}")
    return [service for service in ALL if service.name in names]
