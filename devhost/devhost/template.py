"""The host's model of a SAM template: functions, local layers, HttpApi routes.

The generic CloudFormation work is in :mod:`devhost.cfn` (the document, read by cfn-lint with
SAM's Globals merged by samtranslator; parameters and their constraints; intrinsics). This
module decides what the host runs. Only the properties that change what the host does at run
time are resolved (CodeUri, Handler, Runtime, MemorySize, Timeout, Environment, Layers,
ReservedConcurrentExecutions, Events, ...). Informational properties (Policies, Tracing,
Description, Tags, Outputs, ...) are accepted and never evaluated, so an intrinsic the host
cannot evaluate there does no harm. A construct that would change run-time behaviour and that
the host cannot honour is refused with a :class:`TemplateError` naming the resource.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devhost.cfn.document import read_document
from devhost.cfn.errors import TemplateError
from devhost.cfn.intrinsics import ACCOUNT_ID, NO_VALUE, IntrinsicResolver
from devhost.cfn.parameters import ParameterSpec, parameter_specs, resolve_parameters, stringify

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "FunctionSpec",
    "LayerSpec",
    "ParameterSpec",
    "RouteSpec",
    "TemplateError",
    "TemplateModel",
    "load_env_vars_file",
    "load_template",
    "parse_parameter_overrides",
    "read_template",
]

DEFAULT_REGION = "us-east-1"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
DEFAULT_TIMEOUT_S = 3.0  # SAM's default
DEFAULT_MEMORY_MB = 128  # SAM's default
DEFAULT_EPHEMERAL_STORAGE_MB = 512  # Lambda's default /tmp


@dataclass(frozen=True)
class RouteSpec:
    """One HttpApi route: ``method`` is upper case or ``ANY``; ``path`` is ``$default`` for
    the catch-all route."""

    function: str
    method: str
    path: str
    event_name: str
    api_id: str = "ServerlessHttpApi"

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class LayerSpec:
    logical_id: str
    content_dir: Path  # the directory that goes on sys.path (what /opt/python would be)
    watch_dir: Path


@dataclass
class FunctionSpec:
    logical_id: str
    function_name: str
    code_dir: Path
    handler: str
    runtime: str
    memory_mb: int
    timeout_s: float
    environment: dict[str, str]
    layers: list[LayerSpec]
    reserved_concurrency: int | None
    architecture: str = "x86_64"
    routes: list[RouteSpec] = field(default_factory=list)
    log_format: str | None = None
    application_log_level: str | None = None
    ephemeral_storage_mb: int = DEFAULT_EPHEMERAL_STORAGE_MB
    region: str = DEFAULT_REGION
    alias: str | None = None  # AutoPublishAlias: the API invokes this alias's version
    snap_start: bool = False  # SnapStart ApplyOn PublishedVersions, on the alias's version
    provisioned_concurrency: int = 0  # ProvisionedConcurrencyConfig, on the alias

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def initialization_type(self) -> str:
        """What ``AWS_LAMBDA_INITIALIZATION_TYPE`` says in an environment started on demand
        (a provisioned one says ``provisioned-concurrency``)."""
        return "snap-start" if self.snap_start else "on-demand"


@dataclass
class TemplateModel:
    path: Path
    parameters: dict[str, str]  # the value each parameter takes
    functions: dict[str, FunctionSpec]
    routes: list[RouteSpec]
    stage: str = "$default"
    api_id: str = "local"
    warnings: list[str] = field(default_factory=list)
    parameter_definitions: dict[str, ParameterSpec] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)


def read_template(path: str | Path) -> dict[str, Any]:
    """The template document as written: intrinsics kept (``{"Ref": "Name"}``), ``Globals``
    not merged. For tools that need to know which parameter feeds which variable."""
    return read_document(path).raw


# --------------------------------------------------------------------------------------
# Parameter overrides (SAM syntax)
# --------------------------------------------------------------------------------------

_PARAM_KV = re.compile(r"ParameterKey=([^,]+),ParameterValue=(.*)$")


def parse_parameter_overrides(values: str | list[str] | None) -> dict[str, str]:
    """Parse SAM's ``--parameter-overrides``: ``Key=Value Key2='a b'`` or
    ``ParameterKey=Key,ParameterValue=Value`` (space separated, shell quoting)."""
    if not values:
        return {}
    items = [values] if isinstance(values, str) else list(values)
    result: dict[str, str] = {}
    for item in items:
        for token in shlex.split(item):
            match = _PARAM_KV.match(token)
            if match:
                result[match.group(1)] = match.group(2)
                continue
            if "=" not in token:
                raise TemplateError(
                    f"--parameter-overrides: {token!r} is not Key=Value or "
                    "ParameterKey=..,ParameterValue=.."
                )
            key, value = token.split("=", 1)
            result[key] = value
    return result


def load_env_vars_file(path: str | Path) -> dict[str, Any]:
    """Read SAM's ``--env-vars`` JSON file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TemplateError(f"--env-vars {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"--env-vars {path}: must be a JSON object")
    return data


# --------------------------------------------------------------------------------------
# What the host honours, accepts without evaluating, or refuses
# --------------------------------------------------------------------------------------

_FUNCTION_PROPS_KNOWN = {
    # informational / IAM / deployment-only properties
    "Description",
    "Tags",
    "Tracing",
    "Policies",
    "Role",
    "PermissionsBoundary",
    "AutoPublishAlias",
    "AutoPublishCodeSha256",
    "AutoPublishAliasAllProperties",
    "DeploymentPreference",
    "VpcConfig",
    "KmsKeyArn",
    "DeadLetterQueue",
    "EventInvokeConfig",
    "RuntimeManagementConfig",
    "AssumeRolePolicyDocument",
    "CodeSigningConfigArn",
    "FileSystemConfigs",
    "PropagateTags",
    "VersionDescription",
    "VersionPruningPolicy",
    "RecursiveLoop",
    # what the host uses
    "SnapStart",
    "ProvisionedConcurrencyConfig",
    "EphemeralStorage",
    "Architectures",
    "LoggingConfig",
    "Environment",
    "Layers",
    "CodeUri",
    "Handler",
    "Runtime",
    "MemorySize",
    "Timeout",
    "ReservedConcurrentExecutions",
    "FunctionName",
    "Events",
    "PackageType",
}
_FUNCTION_PROPS_REFUSED = {
    "InlineCode": "InlineCode is not supported; use CodeUri with a local directory",
    "ImageUri": "container image functions (PackageType: Image) are not supported",
    "ImageConfig": "container image functions (PackageType: Image) are not supported",
    "FunctionUrlConfig": "function URLs are not served by the host",
    "CapacityProviderConfig": "Lambda managed instances are not supported",
}
_REFUSED_RESOURCE_TYPES = {
    "AWS::Serverless::Api": (
        "REST APIs (payload format 1.0) are not served; use AWS::Serverless::HttpApi"
    ),
    "AWS::Lambda::Function": "only AWS::Serverless::Function resources are run",
    "AWS::ApiGatewayV2::Api": "declare the API as AWS::Serverless::HttpApi",
    "AWS::ApiGatewayV2::Route": "declare routes as HttpApi events of a function",
    "AWS::ApiGateway::RestApi": "REST APIs are not served; use AWS::Serverless::HttpApi",
}


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


@dataclass
class _HttpApi:
    stage: str = "$default"
    stage_variables: dict[str, str] = field(default_factory=dict)


def load_template(
    path: str | Path,
    parameter_overrides: Mapping[str, str] | None = None,
    env_overrides: Mapping[str, Any] | None = None,
    region: str = DEFAULT_REGION,
) -> TemplateModel:
    """Read ``path`` into a :class:`TemplateModel`.

    ``env_overrides`` is SAM's ``--env-vars`` file content:
    ``{"FunctionLogicalId": {"VAR": "value"}, "Parameters": {"VAR": "value"}}`` where
    ``Parameters`` applies to every function; as in SAM, only variables the template
    declares for a function are overridden.
    """
    document = read_document(path)
    raw, resources = document.raw, document.resources
    warnings: list[str] = []
    definitions = parameter_specs(raw.get("Parameters"))
    params = resolve_parameters(definitions, parameter_overrides or {}, warnings)
    resolver = IntrinsicResolver(
        params, resources, raw.get("Mappings") or {}, raw.get("Conditions") or {}, region
    )
    if "Api" in (raw.get("Globals") or {}):
        warnings.append("Globals.Api applies to REST APIs, which the host does not serve")

    apis = _load_http_apis(resources, resolver)
    layers = _load_layers(resources, resolver, document.path.parent)
    functions: dict[str, FunctionSpec] = {}
    routes: list[RouteSpec] = []
    for logical_id, res in resources.items():
        if res["Type"] != "AWS::Serverless::Function" or not resolver.enabled(logical_id, res):
            continue
        spec = _load_function(
            logical_id, res, resolver, document.path.parent, layers, apis, env_overrides, warnings
        )
        functions[logical_id] = spec
        routes.extend(spec.routes)
    _refuse_duplicate_routes(routes)
    if not functions:
        raise TemplateError(f"{document.path.name}: no AWS::Serverless::Function resources")
    api = next(iter(apis.values()), _HttpApi())
    return TemplateModel(
        path=document.path,
        parameters=params,
        functions=functions,
        routes=routes,
        stage=api.stage,
        warnings=warnings,
        parameter_definitions=definitions,
        stage_variables=api.stage_variables,
    )


def _load_http_apis(
    resources: Mapping[str, dict[str, Any]], resolver: IntrinsicResolver
) -> dict[str, _HttpApi]:
    apis: dict[str, _HttpApi] = {}
    for logical_id, res in resources.items():
        rtype = res["Type"]
        if not resolver.enabled(logical_id, res):
            continue
        if rtype in _REFUSED_RESOURCE_TYPES:
            raise TemplateError(
                f"resource {logical_id} ({rtype}): {_REFUSED_RESOURCE_TYPES[rtype]}"
            )
        if rtype != "AWS::Serverless::HttpApi":
            continue
        props = res["Properties"]
        where = f"resource {logical_id}"
        auth = props.get("Auth")
        if auth and (auth.get("Authorizers") or auth.get("DefaultAuthorizer")):
            raise TemplateError(f"{where}: Auth authorizers are not enforced by the host")
        if props.get("CorsConfiguration"):
            raise TemplateError(
                f"{where}: CorsConfiguration is not implemented by the host "
                "(serve the frontend from the same origin with --static instead)"
            )
        if props.get("DefinitionBody") or props.get("DefinitionUri"):
            raise TemplateError(
                f"{where}: OpenAPI DefinitionBody/DefinitionUri is not supported; "
                "declare routes as HttpApi events"
            )
        stage = resolver.resolve(props.get("StageName", "$default"), where)
        variables = resolver.resolve(props.get("StageVariables") or {}, f"{where} StageVariables")
        if not isinstance(variables, dict):
            raise TemplateError(f"{where}: StageVariables must be a mapping")
        apis[logical_id] = _HttpApi(
            str(stage or "$default"), {str(k): stringify(v) for k, v in variables.items()}
        )
    return apis


def _load_layers(
    resources: Mapping[str, dict[str, Any]], resolver: IntrinsicResolver, base: Path
) -> dict[str, LayerSpec]:
    layers: dict[str, LayerSpec] = {}
    for logical_id, res in resources.items():
        if res["Type"] != "AWS::Serverless::LayerVersion" or not resolver.enabled(logical_id, res):
            continue
        where = f"resource {logical_id}"
        content = resolver.resolve(res["Properties"].get("ContentUri"), where)
        if not isinstance(content, str) or content.startswith("s3://"):
            raise TemplateError(f"{where}: ContentUri must be a local directory, got {content!r}")
        content_dir = (base / content).resolve()
        if not content_dir.is_dir():
            raise TemplateError(f"{where}: ContentUri {content_dir} is not a directory")
        build_method = (res.get("Metadata") or {}).get("BuildMethod")
        # A BuildMethod layer's ContentUri *is* what sam build puts into python/ (i.e.
        # /opt/python); a prebuilt layer directory contains python/ itself.
        if build_method is None and (content_dir / "python").is_dir():
            sys_path_dir = content_dir / "python"
        else:
            sys_path_dir = content_dir
        layers[logical_id] = LayerSpec(logical_id, sys_path_dir, content_dir)
    return layers


def _load_function(
    logical_id: str,
    res: Mapping[str, Any],
    resolver: IntrinsicResolver,
    base: Path,
    layers: Mapping[str, LayerSpec],
    apis: Mapping[str, _HttpApi],
    env_overrides: Mapping[str, Any] | None,
    warnings: list[str],
) -> FunctionSpec:
    where = f"resource {logical_id}"
    props = res["Properties"]
    for key, reason in _FUNCTION_PROPS_REFUSED.items():
        if key in props:
            raise TemplateError(f"{where}: {key}: {reason}")
    for key in props:
        if key not in _FUNCTION_PROPS_KNOWN:
            warnings.append(f"{where}: property {key} is not used by the host")

    def get(name: str, default: Any = None) -> Any:
        return resolver.resolve(props.get(name, default), f"{where} {name}")

    package_type = get("PackageType", "Zip")
    if package_type != "Zip":
        raise TemplateError(f"{where}: PackageType {package_type} is not supported (Zip only)")
    runtime = str(get("Runtime") or "")
    if not runtime.startswith("python3"):
        raise TemplateError(
            f"{where}: Runtime {runtime or '(none)'!r} is not supported; the host runs python3.x"
        )
    handler = get("Handler")
    if not isinstance(handler, str) or "." not in handler:
        raise TemplateError(f"{where}: Handler must be 'module.function', got {handler!r}")
    code_uri = get("CodeUri")
    if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
        raise TemplateError(f"{where}: CodeUri must be a local directory, got {code_uri!r}")
    code_dir = (base / code_uri).resolve()
    if not code_dir.is_dir():
        raise TemplateError(f"{where}: CodeUri {code_dir} is not a directory")

    try:
        memory_mb = int(get("MemorySize", DEFAULT_MEMORY_MB))
        timeout_s = float(get("Timeout", DEFAULT_TIMEOUT_S))
        storage = get("EphemeralStorage") or {}
        storage_mb = int(storage.get("Size", DEFAULT_EPHEMERAL_STORAGE_MB))
    except (TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(
            f"{where}: MemorySize/Timeout/EphemeralStorage must be numbers"
        ) from exc
    if not 128 <= memory_mb <= 10240:
        raise TemplateError(f"{where}: MemorySize {memory_mb} is outside 128..10240 MB")
    if not 0 < timeout_s <= 900:
        raise TemplateError(f"{where}: Timeout {timeout_s} is outside 1..900 seconds")
    if not 512 <= storage_mb <= 10240:
        raise TemplateError(f"{where}: EphemeralStorage {storage_mb} is outside 512..10240 MB")
    reserved_raw = get("ReservedConcurrentExecutions")
    reserved = None if reserved_raw is None else int(reserved_raw)
    if reserved is not None and reserved < 0:
        raise TemplateError(f"{where}: ReservedConcurrentExecutions must be >= 0")
    function_name = str(get("FunctionName") or logical_id)
    archs = get("Architectures") or ["x86_64"]
    architecture = str(archs[0]) if isinstance(archs, list) and archs else "x86_64"
    logging_config = get("LoggingConfig") or {}
    if not isinstance(logging_config, dict):
        logging_config = {}
    log_format = logging_config.get("LogFormat")
    app_level = logging_config.get("ApplicationLogLevel")
    alias, snap_start, provisioned = _cold_start_mitigations(get, runtime, storage_mb, where)

    spec = FunctionSpec(
        logical_id=logical_id,
        function_name=function_name,
        code_dir=code_dir,
        handler=handler,
        runtime=runtime,
        memory_mb=memory_mb,
        timeout_s=timeout_s,
        environment=_environment(
            get("Environment"), logical_id, function_name, env_overrides, warnings, where
        ),
        layers=_function_layers(props.get("Layers") or [], layers, resolver, where),
        reserved_concurrency=reserved,
        architecture=architecture,
        log_format=str(log_format) if log_format else None,
        application_log_level=str(app_level) if app_level else None,
        ephemeral_storage_mb=storage_mb,
        region=resolver.region,
        alias=alias,
        snap_start=snap_start,
        provisioned_concurrency=provisioned,
    )
    events = props.get("Events") or {}
    if not isinstance(events, dict):
        raise TemplateError(f"{where}: Events must be a mapping")
    for event_name, event in events.items():
        ewhere = f"{where} event {event_name}"
        if not isinstance(event, dict):
            raise TemplateError(f"{ewhere}: must be a mapping")
        etype = event.get("Type")
        if etype != "HttpApi":
            raise TemplateError(
                f"{ewhere}: event Type {etype!r} is not served by the host (HttpApi only)"
            )
        eprops = resolver.resolve(event.get("Properties") or {}, ewhere)
        spec.routes.append(_load_route(logical_id, event_name, eprops, apis, ewhere))
    return spec


def _environment(
    block: Any,
    logical_id: str,
    function_name: str,
    env_overrides: Mapping[str, Any] | None,
    warnings: list[str],
    where: str,
) -> dict[str, str]:
    variables = (block or {}).get("Variables") or {} if isinstance(block, dict) else {}
    if not isinstance(variables, dict):
        raise TemplateError(f"{where}: Environment.Variables must be a mapping")
    environment = {str(k): stringify(v) for k, v in variables.items()}
    for scope in ("Parameters", logical_id, function_name):
        overrides = (env_overrides or {}).get(scope)
        if not isinstance(overrides, dict):
            continue
        for key, value in overrides.items():
            if key in environment:
                environment[key] = stringify(value)
            elif scope != "Parameters":
                warnings.append(
                    f"--env-vars: {scope}.{key} is not declared in the template "
                    "(ignored, as in SAM)"
                )
    return environment


def _cold_start_mitigations(
    get: Any, runtime: str, storage_mb: int, where: str
) -> tuple[str | None, bool, int]:
    """``AutoPublishAlias``, ``SnapStart`` and ``ProvisionedConcurrencyConfig``, checked
    against what AWS refuses ("Improving startup performance with Lambda SnapStart",
    https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html: Python 3.12 and later; not
    with provisioned concurrency; ephemeral storage up to 512 MB; published versions only).
    A property set to ``!Ref AWS::NoValue`` (a ``ColdStart`` condition) is absent."""

    def value(name: str) -> Any:
        resolved = get(name)
        return None if resolved is NO_VALUE else resolved

    alias_raw = value("AutoPublishAlias")
    alias = str(alias_raw) if alias_raw else None
    snap = value("SnapStart") or {}
    apply_on = snap.get("ApplyOn", "None") if isinstance(snap, dict) else "None"
    if apply_on not in ("None", "PublishedVersions"):
        raise TemplateError(f"{where}: SnapStart ApplyOn must be PublishedVersions or None")
    snap_start = apply_on == "PublishedVersions"
    config = value("ProvisionedConcurrencyConfig") or {}
    try:
        provisioned = int(config.get("ProvisionedConcurrentExecutions", 0))
    except (TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(f"{where}: ProvisionedConcurrentExecutions must be a number") from exc
    if provisioned < 0:
        raise TemplateError(f"{where}: ProvisionedConcurrentExecutions must be >= 0")
    if (snap_start or provisioned) and alias is None:
        # SAM attaches both to the version AutoPublishAlias publishes; $LATEST has neither
        raise TemplateError(
            f"{where}: SnapStart and ProvisionedConcurrencyConfig need AutoPublishAlias"
        )
    if snap_start:
        version = tuple(int(p) for p in re.findall(r"\d+", runtime)[:2])
        if version < (3, 12):
            raise TemplateError(f"{where}: SnapStart needs python3.12 or later, not {runtime}")
        if provisioned:
            raise TemplateError(
                f"{where}: SnapStart does not support provisioned concurrency; choose one"
            )
        if storage_mb > DEFAULT_EPHEMERAL_STORAGE_MB:
            raise TemplateError(
                f"{where}: SnapStart does not support ephemeral storage over 512 MB "
                f"({storage_mb} MB)"
            )
    return alias, snap_start, provisioned


def _function_layers(
    refs: list[Any], layers: Mapping[str, LayerSpec], resolver: IntrinsicResolver, where: str
) -> list[LayerSpec]:
    found: list[LayerSpec] = []
    for layer_ref in refs:
        if isinstance(layer_ref, dict) and set(layer_ref) == {"Ref"}:
            name = str(layer_ref["Ref"])
            if name in layers:
                found.append(layers[name])
                continue
            raise TemplateError(
                f"{where}: layer !Ref {name} is not a local AWS::Serverless::LayerVersion"
            )
        value = resolver.resolve(layer_ref, f"{where} Layers")
        if value in layers:
            found.append(layers[value])
            continue
        raise TemplateError(
            f"{where}: layer {value!r} is not a local AWS::Serverless::LayerVersion "
            "(published layer ARNs cannot be run locally)"
        )
    return found


_PATH_SEGMENT = re.compile(r"^(\{[A-Za-z0-9_.\-]+\+?\}|[^{}]*)$")


def _load_route(
    logical_id: str,
    event_name: str,
    eprops: Mapping[str, Any],
    apis: Mapping[str, _HttpApi],
    where: str,
) -> RouteSpec:
    fmt = str(eprops.get("PayloadFormatVersion", "2.0"))
    if fmt != "2.0":
        raise TemplateError(f"{where}: PayloadFormatVersion {fmt} is not supported (2.0 only)")
    auth = eprops.get("Auth") or {}
    if auth and auth.get("Authorizer") not in (None, "NONE"):
        raise TemplateError(f"{where}: route authorizers are not enforced by the host")
    api_id = eprops.get("ApiId") or "ServerlessHttpApi"
    if api_id != "ServerlessHttpApi" and api_id not in apis:
        raise TemplateError(f"{where}: ApiId {api_id!r} is not an AWS::Serverless::HttpApi here")
    path = eprops.get("Path")
    method = eprops.get("Method")
    if path is None and method is None:
        return RouteSpec(logical_id, "ANY", "$default", event_name, str(api_id))
    if not isinstance(path, str) or not path.startswith("/"):
        raise TemplateError(f"{where}: Path must start with '/', got {path!r}")
    method = str(method or "ANY").upper()
    if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
        method = "ANY"
    if method not in HTTP_METHODS:
        raise TemplateError(f"{where}: Method {method!r} is not an HTTP method")
    segments = path.strip("/").split("/") if path != "/" else []
    for i, seg in enumerate(segments):
        if not _PATH_SEGMENT.match(seg):
            raise TemplateError(f"{where}: invalid path segment {seg!r} in {path}")
        if seg.endswith("+}") and i != len(segments) - 1:
            raise TemplateError(f"{where}: a greedy {seg} must be the last segment of {path}")
    return RouteSpec(logical_id, method, path, event_name, str(api_id))


def _refuse_duplicate_routes(routes: list[RouteSpec]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for route in routes:
        key = (route.method, route.path)
        if key in seen:
            raise TemplateError(
                f"resource {route.function}: route {route.route_key!r} is already served by "
                f"{seen[key]}"
            )
        seen[key] = route.function
