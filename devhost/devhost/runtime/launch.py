"""What an execution environment's process is started with: the command, its working directory
and its environment variables. The one place that decides them (the interpreter, the import
path, Lambda's reserved variables), so that changing how functions run changes only this."""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from devhost.build import FunctionBuild
from devhost.template import FunctionSpec

__all__ = ["SNAPSTART_BOOTSTRAP", "LaunchSettings", "LaunchSpec", "launch_spec"]

# Passed through from the host's own environment (credentials and endpoints for AWS SDKs,
# certificates, the home directory); everything else an environment sees is set below.
_PASSTHROUGH = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
    "HOME",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
)


@dataclass(frozen=True)
class LaunchSettings:
    """The host-wide choices that shape every launch."""

    python: str = sys.executable
    region: str = "us-east-1"
    sam_local_hint: bool = True  # AWS_SAM_LOCAL=true, as `sam local` sets it


@dataclass(frozen=True)
class LaunchSpec:
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    read_only: tuple[Path, ...] = ()  # the task root and layers: read-only to the function


# SnapStart's runtime: awslambdaric whose restore step forks restored environments
SNAPSTART_BOOTSTRAP = Path(__file__).parent / "snapshot_boot" / "snapstart_bootstrap.py"


def launch_spec(
    spec: FunctionSpec,
    runtime_api: str,
    settings: LaunchSettings,
    initialization_type: str = "on-demand",
    tmp_dir: Path | None = None,
    build: FunctionBuild | None = None,
) -> LaunchSpec:
    """How to start one environment of ``spec`` whose Runtime API listens on ``runtime_api``.
    ``initialization_type`` is ``AWS_LAMBDA_INITIALIZATION_TYPE``: ``on-demand``,
    ``provisioned-concurrency`` or ``snap-start`` (the snapshot of a SnapStart function, and
    the environments restored from it); ``tmp_dir`` is its own temporary directory
    (``TMPDIR``); ``build`` is the function built as ``sam build`` would (its interpreter and
    import path), None for the workspace's interpreter and packages."""
    if build is not None:
        python, task_root = build.python, build.task_root
        import_path = build.sys_path
        runtime_dir = build.runtime_dir
        read_only: tuple[Path, ...] = build.read_only
    else:
        python, task_root = settings.python, spec.code_dir
        import_path = [spec.code_dir, *[layer.content_dir for layer in spec.layers]]
        runtime_dir = Path(settings.python).parent
        read_only = (spec.code_dir, *[layer.content_dir for layer in spec.layers])
    env: dict[str, str] = {k: os.environ[k] for k in _PASSTHROUGH if k in os.environ}
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_ENDPOINT_URL_")})
    env.update(spec.environment)
    region = settings.region
    env.update(
        {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            # Lambda's Python runtimes set en_US.UTF-8 (the template may still override it)
            "LANG": spec.environment.get("LANG", "en_US.UTF-8"),
            "TZ": ":UTC",
            "PYTHONPATH": os.pathsep.join(str(p) for p in import_path),
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(runtime_dir),
            "_HANDLER": spec.handler,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": (
                time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{uuid.uuid4().hex}"
            ),
            "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
        }
    )
    if spec.log_format:
        env["AWS_LAMBDA_LOG_FORMAT"] = spec.log_format
    if spec.application_log_level:
        env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level
    if tmp_dir is not None:
        # Lambda's /tmp is the environment's own ("Configuring ephemeral storage",
        # https://docs.aws.amazon.com/lambda/latest/dg/configuration-ephemeral-storage.html);
        # here it is the directory every temp-file API reads from TMPDIR
        env["TMPDIR"] = str(tmp_dir)
    if settings.sam_local_hint:
        env["AWS_SAM_LOCAL"] = "true"
    # awslambdaric switches to its multi-concurrency mode when this is set
    env.pop("AWS_LAMBDA_MAX_CONCURRENCY", None)
    # a built function's interpreter runs without its own site-packages (-S): only the
    # artifact, the layers and the runtime's packages are importable, as on Lambda
    runtime = ["-S", "-m", "awslambdaric"] if build is not None else ["-m", "awslambdaric"]
    if initialization_type == "snap-start":
        # "Monitoring for Lambda SnapStart" (docs.aws.amazon.com/lambda/latest/dg/
        # snapstart-monitoring.html): these two are not available in SnapStart functions
        env.pop("AWS_LAMBDA_LOG_GROUP_NAME", None)
        env.pop("AWS_LAMBDA_LOG_STREAM_NAME", None)
        runtime = [str(SNAPSTART_BOOTSTRAP)]
    return LaunchSpec(
        argv=[python, *runtime, spec.handler],
        cwd=task_root,
        env=env,
        read_only=read_only,
    )
