"""Reading a SAM template: YAML with CloudFormation tags, intrinsic functions, Globals,
functions, local layers and HttpApi events.

Only the properties that change what the host does at run time are resolved (CodeUri,
Handler, Runtime, MemorySize, Timeout, Environment, Layers, ReservedConcurrentExecutions,
Events, ...). Informational properties (Policies, Tracing, Description, Tags, Outputs, ...)
are accepted and never evaluated, so an intrinsic the host cannot evaluate there does no
harm. A construct that would change run-time behaviour and that the host cannot honour is
refused with a :class:`TemplateError` naming the resource.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "FunctionSpec",
    "LayerSpec",
    "RouteSpec",
    "TemplateError",
    "TemplateModel",
    "load_template",
    "parse_parameter_overrides",
]

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
DEFAULT_TIMEOUT_S = 3.0  # SAM's default
DEFAULT_MEMORY_MB = 128  # SAM's default


class TemplateError(ValueError):
    """The template cannot be run by the host; the message names the resource."""


# --------------------------------------------------------------------------------------
# YAML with CloudFormation short-form tags
# --------------------------------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]
    pass


def _tag_constructor(tag: str) -> Callable[[yaml.SafeLoader, yaml.Node], Any]:
    name = tag[1:]
    key = "Ref" if name == "Ref" else ("Condition" if name == "Condition" else f"Fn::{name}")

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _tag in (
    "!Ref",
    "!Condition",
    "!Sub",
    "!GetAtt",
    "!Join",
    "!Select",
    "!Split",
    "!If",
    "!Equals",
    "!Not",
    "!And",
    "!Or",
    "!FindInMap",
    "!Base64",
    "!GetAZs",
    "!ImportValue",
    "!Cidr",
    "!Transform",
    "!Length",
    "!ToJsonString",
):
    _CfnLoader.add_constructor(_tag, _tag_constructor(_tag))


def _timestamp_as_string(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)


# CloudFormation keeps "2010-09-09" a string.
_CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_string)


def _load_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: the template must be a mapping")
    return data


# --------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------


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

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{DEFAULT_REGION}:{ACCOUNT_ID}:function:{self.function_name}"


@dataclass
class TemplateModel:
    path: Path
    parameters: dict[str, str]
    functions: dict[str, FunctionSpec]
    routes: list[RouteSpec]
    stage: str = "$default"
    api_id: str = "local"
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Parameter overrides (SAM syntax)
# --------------------------------------------------------------------------------------

_PARAM_KV = re.compile(r"ParameterKey=([^,]+),ParameterValue=(.*)$")


def parse_parameter_overrides(values: str | list[str] | None) -> dict[str, str]:
    """Parse SAM's ``--parameter-overrides``: ``Key=Value Key2='a b'`` or
    ``ParameterKey=Key,ParameterValue=Value`` (space separated, shell quoting)."""
    import shlex

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


# --------------------------------------------------------------------------------------
# Intrinsic functions
# --------------------------------------------------------------------------------------

_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class _Resolver:
    def __init__(
        self,
        parameters: Mapping[str, str],
        resources: Mapping[str, Any],
        mappings: Mapping[str, Any],
        conditions: Mapping[str, Any],
        region: str,
    ) -> None:
        self.parameters = dict(parameters)
        self.resources = resources
        self.mappings = mappings
        self.condition_defs = conditions
        self.region = region
        self._conditions: dict[str, bool] = {}
        self.pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": "local",
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT_ID}:stack/local/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": "",
        }

    # -- conditions ----------------------------------------------------------------------
    def condition(self, name: str, where: str) -> bool:
        if name not in self._conditions:
            if name not in self.condition_defs:
                raise TemplateError(f"{where}: unknown condition {name!r}")
            self._conditions[name] = bool(self.resolve(self.condition_defs[name], where))
        return self._conditions[name]

    # -- values --------------------------------------------------------------------------
    def ref(self, name: str, where: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.resources.get(name)
        if resource is not None:
            props = resource.get("Properties") or {}
            if resource.get("Type") == "AWS::Serverless::Function" and isinstance(
                props.get("FunctionName"), str
            ):
                return props["FunctionName"]
            return name
        raise TemplateError(f"{where}: !Ref to unknown parameter or resource {name!r}")

    def get_att(self, args: Any, where: str) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise TemplateError(f"{where}: malformed Fn::GetAtt {args!r}")
        logical, attr = str(args[0]), str(self.resolve(args[1], where))
        resource = self.resources.get(logical)
        if resource is None:
            raise TemplateError(f"{where}: Fn::GetAtt to unknown resource {logical!r}")
        rtype = str(resource.get("Type", ""))
        service = rtype.split("::")[1].lower() if "::" in rtype else "local"
        if attr == "Arn":
            if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
                return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{logical}"
            return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{logical}"
        return f"{logical}.{attr}"

    def sub(self, args: Any, where: str) -> str:
        if isinstance(args, list):
            if len(args) != 2 or not isinstance(args[1], dict):
                raise TemplateError(f"{where}: malformed Fn::Sub {args!r}")
            text, variables = str(args[0]), {k: self.resolve(v, where) for k, v in args[1].items()}
        else:
            text, variables = str(args), {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return str(self.get_att(name.split(".", 1), where))
            value = self.ref(name, where)
            return "" if value is _NO_VALUE else _stringify(value)

        return _SUB_VAR.sub(replace, text).replace("${!", "${")

    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            out = [self.resolve(v, where) for v in value]
            return [v for v in out if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg), where)
            if key == "Condition":
                return self.condition(str(arg), where)
            if key.startswith("Fn::"):
                return self._fn(key[4:], arg, where)
        out_map = {k: self.resolve(v, where) for k, v in value.items()}
        return {k: v for k, v in out_map.items() if v is not _NO_VALUE}

    def _fn(self, name: str, arg: Any, where: str) -> Any:
        if name == "Sub":
            return self.sub(arg, where)
        if name == "GetAtt":
            return self.get_att(arg if isinstance(arg, list) else str(arg).split(".", 1), where)
        if name == "If":
            if not isinstance(arg, list) or len(arg) != 3:
                raise TemplateError(f"{where}: malformed Fn::If {arg!r}")
            chosen = arg[1] if self.condition(str(arg[0]), where) else arg[2]
            return self.resolve(chosen, where)
        if name == "Equals":
            a, b = (self.resolve(v, where) for v in arg)
            return _stringify(a) == _stringify(b)
        if name == "Not":
            return not self.resolve(arg[0], where)
        if name == "And":
            return all(self.resolve(v, where) for v in arg)
        if name == "Or":
            return any(self.resolve(v, where) for v in arg)
        if name == "Join":
            sep, items = arg
            items = self.resolve(items, where)
            return str(sep).join(_stringify(i) for i in items)
        if name == "Select":
            index, items = arg
            items = self.resolve(items, where)
            return items[int(self.resolve(index, where))]
        if name == "Split":
            sep, text = arg
            return str(self.resolve(text, where)).split(str(sep))
        if name == "FindInMap":
            m, k1, k2 = (self.resolve(v, where) for v in arg)
            try:
                return self.mappings[m][k1][k2]
            except (KeyError, TypeError) as exc:
                raise TemplateError(f"{where}: Fn::FindInMap {arg!r} not found") from exc
        if name == "Base64":
            return base64.b64encode(str(self.resolve(arg, where)).encode()).decode()
        if name == "GetAZs":
            return [f"{self.region}a", f"{self.region}b", f"{self.region}c"]
        if name == "Length":
            return len(self.resolve(arg, where))
        if name == "ToJsonString":
            return json.dumps(self.resolve(arg, where), separators=(",", ":"))
        raise TemplateError(
            f"{where}: Fn::{name} cannot be evaluated locally (it needs a deployed stack)"
        )


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


# --------------------------------------------------------------------------------------
# Globals
# --------------------------------------------------------------------------------------


def _merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: maps merge recursively, lists are concatenated (globals first),
    scalars from the resource win."""
    merged: dict[str, Any] = dict(global_props)
    for key, value in props.items():
        if key in merged:
            gval = merged[key]
            if isinstance(gval, dict) and isinstance(value, dict) and not _is_intrinsic(value):
                merged[key] = _merge_globals(gval, value)
            elif isinstance(gval, list) and isinstance(value, list):
                merged[key] = list(gval) + list(value)
            else:
                merged[key] = value
        else:
            merged[key] = value
    return merged


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return (len(value) == 1 and next(iter(value)) in ("Ref", "Condition")) or (
        len(value) == 1 and str(next(iter(value))).startswith("Fn::")
    )


# --------------------------------------------------------------------------------------
# Loading
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
    "ProvisionedConcurrencyConfig",
    "RuntimeManagementConfig",
    "EphemeralStorage",
    "AssumeRolePolicyDocument",
    "CodeSigningConfigArn",
    "FileSystemConfigs",
    "PropagateTags",
    "VersionDescription",
    "VersionPruningPolicy",
    "RecursiveLoop",
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
    "SnapStart": "SnapStart is not supported",
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
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    data = _load_yaml(text, str(path))
    base = path.parent
    warnings: list[str] = []

    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError(f"{path.name}: the template has no Resources")
    for logical_id, res in resources.items():
        if not isinstance(res, dict) or "Type" not in res:
            raise TemplateError(f"resource {logical_id}: every resource needs a Type")

    params = _resolve_parameters(data.get("Parameters") or {}, parameter_overrides or {}, warnings)
    resolver = _Resolver(
        params, resources, data.get("Mappings") or {}, data.get("Conditions") or {}, region
    )
    globals_ = data.get("Globals") or {}
    if not isinstance(globals_, dict):
        raise TemplateError("Globals: must be a mapping")
    global_fn = globals_.get("Function") or {}
    global_api = globals_.get("HttpApi") or {}
    if "Api" in globals_:
        warnings.append("Globals.Api applies to REST APIs, which the host does not serve")

    def enabled(logical_id: str, res: Mapping[str, Any]) -> bool:
        cond = res.get("Condition")
        return cond is None or resolver.condition(str(cond), f"resource {logical_id}")

    # HttpApi resources
    apis: dict[str, dict[str, Any]] = {}
    stage = "$default"
    for logical_id, res in resources.items():
        rtype = res["Type"]
        if rtype in _REFUSED_RESOURCE_TYPES and enabled(logical_id, res):
            raise TemplateError(
                f"resource {logical_id} ({rtype}): {_REFUSED_RESOURCE_TYPES[rtype]}"
            )
        if rtype == "AWS::Serverless::HttpApi" and enabled(logical_id, res):
            props = _merge_globals(global_api, res.get("Properties") or {})
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
            stage_name = resolver.resolve(props.get("StageName", "$default"), where)
            stage = str(stage_name or "$default")
            apis[logical_id] = props

    # Layers
    layers: dict[str, LayerSpec] = {}
    for logical_id, res in resources.items():
        if res["Type"] != "AWS::Serverless::LayerVersion" or not enabled(logical_id, res):
            continue
        where = f"resource {logical_id}"
        props = res.get("Properties") or {}
        content = resolver.resolve(props.get("ContentUri"), where)
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

    functions: dict[str, FunctionSpec] = {}
    routes: list[RouteSpec] = []
    for logical_id, res in resources.items():
        if res["Type"] != "AWS::Serverless::Function" or not enabled(logical_id, res):
            continue
        spec = _load_function(
            logical_id, res, global_fn, resolver, base, layers, apis, env_overrides, warnings
        )
        functions[logical_id] = spec
        routes.extend(spec.routes)

    seen: dict[tuple[str, str], str] = {}
    for route in routes:
        key = (route.method, route.path)
        if key in seen:
            raise TemplateError(
                f"resource {route.function}: route {route.route_key!r} is already served by "
                f"{seen[key]}"
            )
        seen[key] = route.function

    if not functions:
        raise TemplateError(f"{path.name}: no AWS::Serverless::Function resources")
    return TemplateModel(
        path=path,
        parameters=params,
        functions=functions,
        routes=routes,
        stage=stage,
        warnings=warnings,
    )


def _resolve_parameters(
    declared: Mapping[str, Any], overrides: Mapping[str, str], warnings: list[str]
) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, decl in declared.items():
        decl = decl or {}
        if name in overrides:
            value: Any = overrides[name]
        elif "Default" in decl:
            value = decl["Default"]
        else:
            raise TemplateError(
                f"parameter {name}: no Default and no value in --parameter-overrides"
            )
        value = _stringify(value) if not isinstance(value, list) else ",".join(map(str, value))
        allowed = decl.get("AllowedValues")
        if allowed is not None and value not in [_stringify(a) for a in allowed]:
            raise TemplateError(f"parameter {name}: {value!r} is not one of {allowed}")
        ptype = str(decl.get("Type", "String"))
        if ptype == "Number":
            try:
                float(value)
            except ValueError as exc:
                raise TemplateError(f"parameter {name}: {value!r} is not a Number") from exc
        result[name] = value
    for name in overrides:
        if name not in declared:
            warnings.append(f"--parameter-overrides: {name} is not a template parameter (ignored)")
    return result


def _load_function(
    logical_id: str,
    res: Mapping[str, Any],
    global_fn: Mapping[str, Any],
    resolver: _Resolver,
    base: Path,
    layers: Mapping[str, LayerSpec],
    apis: Mapping[str, Any],
    env_overrides: Mapping[str, Any] | None,
    warnings: list[str],
) -> FunctionSpec:
    where = f"resource {logical_id}"
    raw_props = res.get("Properties") or {}
    if not isinstance(raw_props, dict):
        raise TemplateError(f"{where}: Properties must be a mapping")
    props = _merge_globals(global_fn, raw_props)
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
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"{where}: MemorySize/Timeout must be numbers") from exc
    if not 128 <= memory_mb <= 10240:
        raise TemplateError(f"{where}: MemorySize {memory_mb} is outside 128..10240 MB")
    if not 0 < timeout_s <= 900:
        raise TemplateError(f"{where}: Timeout {timeout_s} is outside 1..900 seconds")
    reserved_raw = get("ReservedConcurrentExecutions")
    reserved = None if reserved_raw is None else int(reserved_raw)
    if reserved is not None and reserved < 0:
        raise TemplateError(f"{where}: ReservedConcurrentExecutions must be >= 0")
    function_name = str(get("FunctionName") or logical_id)

    archs = get("Architectures") or ["x86_64"]
    architecture = str(archs[0]) if isinstance(archs, list) and archs else "x86_64"

    # Environment
    env_block = get("Environment") or {}
    variables = env_block.get("Variables") or {} if isinstance(env_block, dict) else {}
    if not isinstance(variables, dict):
        raise TemplateError(f"{where}: Environment.Variables must be a mapping")
    environment = {str(k): _stringify(v) for k, v in variables.items()}
    if env_overrides:
        for scope in ("Parameters", logical_id, function_name):
            block = env_overrides.get(scope)
            if not isinstance(block, dict):
                continue
            for key, value in block.items():
                if key in environment:
                    environment[key] = _stringify(value)
                elif scope != "Parameters":
                    warnings.append(
                        f"--env-vars: {scope}.{key} is not declared in the template (ignored, "
                        "as in SAM)"
                    )

    # Layers
    fn_layers: list[LayerSpec] = []
    for layer_ref in props.get("Layers") or []:
        if isinstance(layer_ref, dict) and set(layer_ref) == {"Ref"}:
            name = str(layer_ref["Ref"])
            if name in layers:
                fn_layers.append(layers[name])
                continue
            raise TemplateError(
                f"{where}: layer !Ref {name} is not a local AWS::Serverless::LayerVersion"
            )
        value = resolver.resolve(layer_ref, f"{where} Layers")
        if value in layers:
            fn_layers.append(layers[value])
            continue
        raise TemplateError(
            f"{where}: layer {value!r} is not a local AWS::Serverless::LayerVersion "
            "(published layer ARNs cannot be run locally)"
        )

    logging_config = get("LoggingConfig") or {}
    log_format = logging_config.get("LogFormat") if isinstance(logging_config, dict) else None
    app_level = (
        logging_config.get("ApplicationLogLevel") if isinstance(logging_config, dict) else None
    )

    spec = FunctionSpec(
        logical_id=logical_id,
        function_name=function_name,
        code_dir=code_dir,
        handler=handler,
        runtime=runtime,
        memory_mb=memory_mb,
        timeout_s=timeout_s,
        environment=environment,
        layers=fn_layers,
        reserved_concurrency=reserved,
        architecture=architecture,
        log_format=str(log_format) if log_format else None,
        application_log_level=str(app_level) if app_level else None,
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


_PATH_SEGMENT = re.compile(r"^(\{[A-Za-z0-9_.\-]+\+?\}|[^{}]*)$")


def _load_route(
    logical_id: str, event_name: str, eprops: Mapping[str, Any], apis: Mapping[str, Any], where: str
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


def load_env_vars_file(path: str | Path) -> dict[str, Any]:
    """Read SAM's ``--env-vars`` JSON file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TemplateError(f"--env-vars {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"--env-vars {path}: must be a JSON object")
    return data
