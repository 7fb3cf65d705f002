"""Intrinsic functions and conditions, evaluated locally.

Only what a stack that is not deployed can know: parameters, pseudo parameters, mappings,
conditions and the pure functions (``Sub``, ``Join``, ``If``, ``Select``, ...). ``Ref`` to a
resource gives its logical id (a function's ``FunctionName`` when set), ``GetAtt ... Arn`` an
ARN built from the logical id; what needs a deployed stack (``ImportValue``, ``Transform``,
``Cidr``) is refused with the place it was used.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from devhost.cfn.errors import TemplateError
from devhost.cfn.parameters import stringify

__all__ = ["ACCOUNT_ID", "NO_VALUE", "IntrinsicResolver"]

ACCOUNT_ID = "123456789012"
NO_VALUE = object()  # AWS::NoValue: the property is removed
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class IntrinsicResolver:
    def __init__(
        self,
        parameters: Mapping[str, str],
        resources: Mapping[str, Any],
        mappings: Mapping[str, Any],
        conditions: Mapping[str, Any],
        region: str,
        stack_name: str = "local",
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
            "AWS::StackName": stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{region}:{ACCOUNT_ID}:stack/{stack_name}/{stack_name}"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": "",
        }

    def condition(self, name: str, where: str) -> bool:
        if name not in self._conditions:
            if name not in self.condition_defs:
                raise TemplateError(f"{where}: unknown condition {name!r}")
            self._conditions[name] = bool(self.resolve(self.condition_defs[name], where))
        return self._conditions[name]

    def enabled(self, logical_id: str, resource: Mapping[str, Any]) -> bool:
        """Whether a resource's ``Condition`` (if any) holds."""
        cond = resource.get("Condition")
        return cond is None or self.condition(str(cond), f"resource {logical_id}")

    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            out = [self.resolve(v, where) for v in value]
            return [v for v in out if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg), where)
            if key == "Condition":
                return self.condition(str(arg), where)
            if key.startswith("Fn::"):
                return self._function(key[4:], arg, where)
        out_map = {k: self.resolve(v, where) for k, v in value.items()}
        return {k: v for k, v in out_map.items() if v is not NO_VALUE}

    def ref(self, name: str, where: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
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
            return "" if value is NO_VALUE else stringify(value)

        return _SUB_VAR.sub(replace, text).replace("${!", "${")

    def _function(self, name: str, arg: Any, where: str) -> Any:
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
            return stringify(a) == stringify(b)
        if name == "Not":
            return not self.resolve(arg[0], where)
        if name == "And":
            return all(self.resolve(v, where) for v in arg)
        if name == "Or":
            return any(self.resolve(v, where) for v in arg)
        if name == "Join":
            sep, items = arg
            return str(sep).join(stringify(i) for i in self.resolve(items, where))
        if name == "Select":
            index, items = arg
            return self.resolve(items, where)[int(self.resolve(index, where))]
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
