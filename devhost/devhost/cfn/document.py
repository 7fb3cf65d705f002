"""A template file as a document: decoded by cfn-lint (YAML or JSON, short-form tags such as
``!Ref`` turned into their long form, duplicate keys and YAML alias bombs refused), with SAM's
``Globals`` merged into each serverless resource by samtranslator, the SAM transform's own code.

Both libraries are heavy to import (about 1.5 s for cfn-lint, which loads its whole rule set,
and 0.6 s for samtranslator, which loads boto3; several times more on a busy machine). The
decoded and merged document is therefore cached by the template's content hash and the two
libraries' versions, so that starting a host on an unchanged template imports neither.
``DEVHOST_CACHE_DIR`` moves the cache (default ``$XDG_CACHE_HOME/devhost`` or
``~/.cache/devhost``); an unwritable cache is skipped silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from devhost.cfn.errors import TemplateError

__all__ = ["TemplateDocument", "read_document"]

_FORMAT = 1  # bump when what is cached changes shape
_CACHE_ENTRIES = 64  # templates kept (test suites write many); the least recent go
_SERVERLESS = "AWS::Serverless::"


@dataclass(frozen=True)
class TemplateDocument:
    """``raw`` is the template as written (intrinsics kept as ``{"Ref": ...}``, ``Globals``
    kept); ``resources`` has every resource with the Globals of its type merged into its
    ``Properties`` the way the SAM transform merges them."""

    path: Path
    raw: dict[str, Any]
    resources: dict[str, dict[str, Any]]


def read_document(path: str | Path) -> TemplateDocument:
    path = Path(path).resolve()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    cache_file = _cache_dir() / f"{_cache_key(data)}.json"
    cached = _read_cache(cache_file)
    if cached is not None:
        with contextlib.suppress(OSError):
            os.utime(cache_file)  # recently used: pruned last
        return TemplateDocument(path, cached["raw"], cached["resources"])
    raw = _decode(data, path)
    resources = _merge_globals(raw)
    # A JSON round trip drops cfn-lint's node classes (which carry line marks), so that a
    # fresh and a cached document are the same plain values.
    plain = json.loads(json.dumps({"raw": raw, "resources": resources}, default=str))
    _write_cache(cache_file, plain)
    return TemplateDocument(path, plain["raw"], plain["resources"])


def _decode(data: bytes, path: Path) -> dict[str, Any]:
    from cfnlint.decode import decode_str

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path.name}: not UTF-8 text: {exc}") from exc
    template, matches = decode_str(text)
    if matches:
        first = matches[0]
        line = f" (line {first.linenumber})" if getattr(first, "linenumber", 0) else ""
        raise TemplateError(f"{path.name}: not valid YAML or JSON{line}: {first.message}")
    if not isinstance(template, dict):
        raise TemplateError(f"{path.name}: the template must be a mapping")
    return template


def _merge_globals(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = raw.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError("the template has no Resources")
    merged: dict[str, dict[str, Any]] = {}
    globals_section = raw.get("Globals")
    sam_globals = _sam_globals(raw) if globals_section is not None else None
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or "Type" not in resource:
            raise TemplateError(f"resource {logical_id}: every resource needs a Type")
        resource = dict(resource)
        rtype = str(resource["Type"])
        properties = resource.get("Properties") or {}
        if not isinstance(properties, dict):
            raise TemplateError(f"resource {logical_id}: Properties must be a mapping")
        if sam_globals is not None and rtype.startswith(_SERVERLESS):
            properties = _merge_one(sam_globals, rtype, properties, logical_id, resource)
        resource["Properties"] = properties
        merged[str(logical_id)] = resource
    return merged


def _sam_globals(raw: dict[str, Any]) -> Any:
    from samtranslator.model.exceptions import ExceptionWithMessage
    from samtranslator.plugins.globals.globals import Globals

    try:
        return Globals(raw)
    except ExceptionWithMessage as exc:
        raise TemplateError(f"Globals: {exc.message}") from exc


def _merge_one(
    sam_globals: Any,
    rtype: str,
    properties: dict[str, Any],
    logical_id: str,
    resource: dict[str, Any],
) -> dict[str, Any]:
    from samtranslator.model.exceptions import ExceptionWithMessage

    try:
        merged = sam_globals.merge(rtype, properties, logical_id, resource.get("IgnoreGlobals"))
    except ExceptionWithMessage as exc:
        raise TemplateError(f"resource {logical_id}: {exc.message}") from exc
    return dict(merged)


def _cache_key(data: bytes) -> str:
    digest = hashlib.sha256(data)
    for dist in ("cfn-lint", "aws-sam-translator"):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"\0{dist}={version}".encode())
    digest.update(f"\0format={_FORMAT}".encode())
    return digest.hexdigest()


def _cache_dir() -> Path:
    configured = os.environ.get("DEVHOST_CACHE_DIR")
    if configured:
        return Path(configured) / "templates"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "devhost" / "templates"


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(cached, dict) and {"raw", "resources"} <= cached.keys():
        return cached
    return None


def _write_cache(path: Path, plain: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        # write-then-rename: two hosts starting at once never read half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(plain, out, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _prune(path.parent)


def _prune(folder: Path) -> None:
    def last_used(entry: Path) -> float:
        try:
            return entry.stat().st_mtime
        except OSError:  # another host pruned it meanwhile
            return 0.0

    entries = sorted(folder.glob("*.json"), key=last_used, reverse=True)
    for stale in entries[_CACHE_ENTRIES:]:
        with contextlib.suppress(OSError):
            stale.unlink()
