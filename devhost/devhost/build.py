"""Functions built as ``sam build`` builds them, so that an environment sees only what it
would see on Lambda: its artifact (``CodeUri`` + its ``requirements.txt``), its layers in
``/opt/python`` layout, and what the Lambda runtime itself provides (the runtime interface
client and boto3) — not the uv workspace.

- **Interpreter** (issue 12 item 4): the Python the template's ``Runtime`` names
  (``python3.12`` → a 3.12 interpreter found beside the host's own, on ``PATH``, by
  ``uv python find`` or under pyenv), run with ``-S`` so that its own ``site-packages`` stay
  out; a function whose interpreter is missing is refused with a message naming what was
  looked for.
- **Artifact**: ``CodeUri`` copied, its ``requirements.txt`` installed with
  ``uv pip install --target`` (offline-capable from uv's cache), byte-compiled; cached by the
  content hash of the code, the requirements and the interpreter, so a rebuild of unchanged
  code is a hash.
- **Layers**: a ``BuildMethod`` layer is built like a function into ``python/``; any layer's
  ``python/`` and ``python/lib/python3.X/site-packages/`` go on the path, as ``/opt/python``
  and ``/opt/python/lib/python3.X/site-packages`` do on Lambda.
- **Runtime**: ``awslambdaric`` and ``boto3`` at the versions the host's own environment has,
  installed once per Python version.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from devhost.template import FunctionSpec, LayerSpec

__all__ = ["BuildError", "Builder", "FunctionBuild", "find_python"]

# What Lambda's Python runtimes provide besides the standard library
RUNTIME_PACKAGES = ("awslambdaric", "boto3")
_SKIP_DIRS = {"__pycache__", ".venv", "venv", ".git", ".pytest_cache", ".mypy_cache", ".aws-sam"}


class BuildError(Exception):
    """A function cannot be built (its interpreter is missing, a requirement fails)."""


def _cache_root() -> Path:
    root = os.environ.get("DEVHOST_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "devhost") / "builds"


def _probe(exe: str) -> tuple[str, str] | None:
    """(X.Y, the real executable) of an interpreter (a pyenv shim resolves to its target,
    which then works from any directory)."""
    try:
        out = subprocess.run(
            [exe, "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    version, _, real = out.stdout.strip().partition(" ")
    return version, real


@cache
def find_python(runtime: str) -> tuple[str | None, list[str]]:
    """The interpreter of a Lambda ``Runtime`` (``python3.12``) and where it was looked for."""
    version = runtime.removeprefix("python")
    looked: list[str] = []
    candidates: list[str] = [
        str(Path(sys.base_prefix) / "bin" / f"python{version}"),
        shutil.which(f"python{version}") or "",
    ]
    uv = find_uv()
    if uv is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                [*uv, "python", "find", "--no-project", version],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if found.returncode == 0:
                candidates.append(found.stdout.strip())
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        (str(p) for p in pyenv_root.glob(f"versions/{version}*/bin/python{version}")),
        reverse=True,
    )
    for exe in candidates:
        if not exe or exe in looked:
            continue
        looked.append(exe)
        probe = _probe(exe) if Path(exe).exists() else None
        if probe is not None and probe[0] == version:
            return probe[1], looked
    return None, looked


@cache
def find_uv() -> list[str] | None:
    """How to run uv: beside the host's Python, on PATH, or as the base Python's module."""
    candidates = [
        [os.environ["UV"]] if os.environ.get("UV") else [],
        [str(Path(sys.executable).parent / "uv")],
        [str(Path(sys.base_prefix) / "bin" / "uv")],
        [shutil.which("uv") or ""],
        [sys.executable, "-m", "uv"],
    ]
    for argv in candidates:
        if not argv or not argv[0] or not Path(argv[0]).exists():
            continue
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            if (
                subprocess.run([*argv, "--version"], capture_output=True, timeout=30).returncode
                == 0
            ):
                return argv
    return None


def _tree_hash(root: Path, digest: hashlib._Hash) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(dirpath) / name
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            with contextlib.suppress(OSError):
                digest.update(path.read_bytes())
            digest.update(b"\0")


@dataclass(frozen=True)
class FunctionBuild:
    """What one function runs with."""

    python: str
    task_root: Path  # LAMBDA_TASK_ROOT: the artifact
    layer_paths: tuple[Path, ...]  # /opt/python and /opt/python/lib/python3.X/site-packages
    runtime_dir: Path  # the runtime's own packages (awslambdaric, boto3)
    read_only: tuple[Path, ...] = field(default=())

    @property
    def sys_path(self) -> list[Path]:
        """In Lambda's order: task root, layers, runtime."""
        return [self.task_root, *self.layer_paths, self.runtime_dir]


class Builder:
    """Builds and caches artifacts; thread-safe (one build of a thing at a time)."""

    def __init__(self, cache_dir: Path | None = None, log: object = None) -> None:
        self.root = cache_dir or _cache_root()
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self.timings: list[tuple[str, float, bool]] = []  # (what, seconds, from cache)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    # -- the parts ---------------------------------------------------------------------------

    def build(self, spec: FunctionSpec) -> FunctionBuild:
        python, looked = find_python(spec.runtime)
        if python is None:
            raise BuildError(
                f"{spec.logical_id}: Runtime {spec.runtime} needs a Python "
                f"{spec.runtime.removeprefix('python')} interpreter and none was found "
                f"(looked at {', '.join(looked) or 'PATH, uv and pyenv'}); install it "
                f"(e.g. `uv python install {spec.runtime.removeprefix('python')}` or pyenv) "
                "or run the host with --workspace-packages"
            )
        version = spec.runtime.removeprefix("python")
        task_root = self._artifact("functions", spec.logical_id, spec.code_dir, python, version)
        layer_paths: list[Path] = []
        for layer in spec.layers:
            layer_paths += self._layer(layer, python, version)
        runtime_dir = self._runtime(python, version)
        return FunctionBuild(
            python=python,
            task_root=task_root,
            layer_paths=tuple(layer_paths),
            runtime_dir=runtime_dir,
            read_only=(task_root, *layer_paths),
        )

    def _layer(self, layer: LayerSpec, python: str, version: str) -> list[Path]:
        if layer.content_dir == layer.watch_dir:  # a BuildMethod layer: built into python/
            built = self._artifact("layers", layer.logical_id, layer.watch_dir, python, version)
            return [built]
        opt = layer.watch_dir  # already in /opt layout: python/ and its site-packages
        paths = [opt / "python" / "lib" / f"python{version}" / "site-packages", opt / "python"]
        return [p for p in paths if p.is_dir()]

    def _artifact(self, kind: str, name: str, source: Path, python: str, version: str) -> Path:
        digest = hashlib.sha256(f"{kind}\0{version}\0{python}\0".encode())
        _tree_hash(source, digest)
        target = self.root / kind / f"{name}-py{version}-{digest.hexdigest()[:16]}"
        with self._lock_for(str(target)):
            started = time.perf_counter()
            if (target / ".devhost-built").exists():
                self.timings.append((f"{kind}/{name}", time.perf_counter() - started, True))
                return target
            staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self._ensure(kind)))
            try:
                shutil.copytree(
                    source,
                    staging,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(*_SKIP_DIRS, "*.pyc", "*.egg-info"),
                )
                requirements = source / "requirements.txt"
                if requirements.is_file() and _has_requirements(requirements):
                    self._uv_install(python, staging, ["-r", str(requirements)])
                subprocess.run(
                    [python, "-S", "-m", "compileall", "-q", "-j", "0", str(staging)],
                    capture_output=True,
                    timeout=600,
                )
                (staging / ".devhost-built").write_text(str(source))
                self._publish(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            self.timings.append((f"{kind}/{name}", time.perf_counter() - started, False))
        return target

    def _runtime(self, python: str, version: str) -> Path:
        pins = [f"{name}=={importlib.metadata.version(name)}" for name in RUNTIME_PACKAGES]
        digest = hashlib.sha256("\0".join([version, python, *pins]).encode()).hexdigest()[:16]
        target = self.root / "runtimes" / f"python{version}-{digest}"
        with self._lock_for(str(target)):
            if (target / ".devhost-built").exists():
                return target
            staging = Path(tempfile.mkdtemp(prefix=".runtime-", dir=self._ensure("runtimes")))
            try:
                self._uv_install(python, staging, pins)
                (staging / ".devhost-built").write_text(" ".join(pins))
                self._publish(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return target

    # -- helpers -----------------------------------------------------------------------------

    def _ensure(self, kind: str) -> Path:
        path = self.root / kind
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _publish(self, staging: Path, target: Path) -> None:
        """Move a finished build into place (another host may have won the race)."""
        try:
            staging.rename(target)
        except OSError:
            if not (target / ".devhost-built").exists():
                raise

    def _uv_install(self, python: str, target: Path, args: list[str]) -> None:
        uv = find_uv()
        if uv is None:
            raise BuildError("uv is needed to build functions and was not found")
        cmd = [
            *uv,
            "pip",
            "install",
            "--quiet",
            "--no-config",
            "--compile-bytecode",
            "--python",
            python,
            "--target",
            str(target),
            *args,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise BuildError(f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-2000:]}")


def _has_requirements(path: Path) -> bool:
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return True
    return False
