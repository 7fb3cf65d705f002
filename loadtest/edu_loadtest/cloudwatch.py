"""The per-function table from CloudWatch Logs, for a stack deployed to AWS.

Lambda writes one REPORT line per invocation to the function's log group, in this exact form
(fields separated by tabs, a trailing tab; ``Init Duration`` only on a cold start; ``Status``
and ``Error Type`` only when the invocation failed)::

    REPORT RequestId: 8f507cfc-… \tDuration: 2.68 ms\tBilled Duration: 3 ms\t
    Memory Size: 128 MB\tMax Memory Used: 72 MB\tInit Duration: 161.12 ms\t

Each execution environment writes to its own log stream, so the distinct streams in the window
count the environments the function used.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from edu_loadtest import attribution
from edu_loadtest.samples import Sample

__all__ = [
    "FunctionLogGroup",
    "ReportLine",
    "find_function_log_groups",
    "parse_report_line",
    "parse_since",
    "report_samples",
]

_FIELD = re.compile(r"(?P<key>[A-Za-z][A-Za-z ]*?):\s*(?P<value>[^\t\n]*?)\s*(?:\t|\n|$)")
_NUMBER = re.compile(r"^(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>ms|MB)?$")


@dataclass(frozen=True)
class ReportLine:
    request_id: str
    duration_ms: float
    billed_duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None
    status: str | None = None  # "timeout", "error", ... when the invocation failed
    error_type: str | None = None

    @property
    def cold(self) -> bool:
        return self.init_duration_ms is not None


def parse_report_line(message: str) -> ReportLine | None:
    """The fields of one REPORT line, or None when ``message`` is not one."""
    text = message.strip("\n")
    start = text.find("REPORT RequestId:")
    if start < 0:
        return None
    text = text[start + len("REPORT ") :]
    fields: dict[str, str] = {}
    for match in _FIELD.finditer(text.split("\nXRAY")[0]):
        fields.setdefault(match["key"].strip(), match["value"].strip())

    def number(key: str) -> float | None:
        raw = fields.get(key)
        if raw is None:
            return None
        parsed = _NUMBER.match(raw)
        return float(parsed["num"]) if parsed else None

    request_id = fields.get("RequestId")
    duration = number("Duration")
    if not request_id or duration is None:
        return None
    return ReportLine(
        request_id=request_id,
        duration_ms=duration,
        billed_duration_ms=number("Billed Duration") or duration,
        memory_size_mb=int(number("Memory Size") or 0),
        max_memory_used_mb=int(number("Max Memory Used") or 0),
        init_duration_ms=number("Init Duration"),
        status=fields.get("Status"),
        error_type=fields.get("Error Type"),
    )


_SINCE = re.compile(r"^(?P<n>\d+)\s*(?P<unit>s|m|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str) -> float:
    """Seconds in ``30m``, ``1h``, ``2d``, ``90s``."""
    match = _SINCE.match(text.strip().lower())
    if match is None:
        raise ValueError(f"--since must look like 30m, 1h, 2d or 90s, not {text!r}")
    return int(match["n"]) * _UNIT_SECONDS[match["unit"]]


@dataclass(frozen=True)
class FunctionLogGroup:
    function: str  # identity | course | ...
    function_name: str  # the physical Lambda function name
    log_group: str


def find_function_log_groups(
    stack: str, cloudformation: Any | None = None, logs: Any | None = None
) -> list[FunctionLogGroup]:
    """The stack's Lambda functions and their log groups: from the stack's resources when
    CloudFormation knows the stack, else the log groups named ``/aws/lambda/<stack>-…``."""
    found: list[FunctionLogGroup] = []
    if cloudformation is not None:
        try:
            pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack)
            for page in pages:
                for res in page.get("StackResourceSummaries", []):
                    if res.get("ResourceType") != "AWS::Lambda::Function":
                        continue
                    physical = res["PhysicalResourceId"]
                    found.append(
                        FunctionLogGroup(
                            function=attribution.function_name(res["LogicalResourceId"]),
                            function_name=physical,
                            log_group=f"/aws/lambda/{physical}",
                        )
                    )
        except Exception:
            found = []
    if found or logs is None:
        return sorted(found, key=lambda f: f.function)
    prefix = f"/aws/lambda/{stack}-"
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
        for group in page.get("logGroups", []):
            name = group["logGroupName"]
            physical = name.removeprefix("/aws/lambda/")
            found.append(
                FunctionLogGroup(
                    function=attribution.function_name(physical.removeprefix(f"{stack}-")),
                    function_name=physical,
                    log_group=name,
                )
            )
    return sorted(found, key=lambda f: f.function)


def _report_events(
    logs: Any, log_group: str, start_ms: int, end_ms: int
) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "logGroupName": log_group,
        "startTime": start_ms,
        "endTime": end_ms,
        "filterPattern": '"REPORT RequestId"',
    }
    while True:
        page = logs.filter_log_events(**kwargs)
        yield from page.get("events", [])
        token = page.get("nextToken")
        if not token or token == kwargs.get("nextToken"):
            return
        kwargs["nextToken"] = token


def report_samples(
    groups: list[FunctionLogGroup],
    logs: Any,
    since_seconds: float,
    now: float | None = None,
) -> tuple[list[Sample], dict[str, int]]:
    """Samples from every REPORT line of ``groups`` in the last ``since_seconds``, and the
    number of distinct log streams (execution environments) per function."""
    end = time.time() if now is None else now
    start_ms, end_ms = int((end - since_seconds) * 1000), int(end * 1000)
    samples: list[Sample] = []
    streams: dict[str, set[str]] = {}
    for group in groups:
        for event in _report_events(logs, group.log_group, start_ms, end_ms):
            line = parse_report_line(str(event.get("message", "")))
            if line is None:
                continue
            streams.setdefault(group.function, set()).add(str(event.get("logStreamName")))
            failed = line.status is not None and line.status.lower() not in {"success", "ok"}
            outcome = "ok"
            if failed:
                outcome = "timeout" if line.status and "timeout" in line.status.lower() else "error"
            samples.append(
                Sample(
                    ts=float(event.get("timestamp", end_ms)) / 1000.0,
                    function=group.function,
                    cold=line.cold,
                    latency_ms=line.duration_ms + (line.init_duration_ms or 0.0),
                    outcome=outcome,
                    duration_ms=line.duration_ms,
                    init_ms=line.init_duration_ms,
                    billed_ms=line.billed_duration_ms,
                    memory_mb=line.memory_size_mb,
                    max_memory_used_mb=line.max_memory_used_mb,
                    environment_id=str(event.get("logStreamName")),
                )
            )
    return samples, {name: len(ids) for name, ids in streams.items()}


def throttles_from_metrics(
    cloudwatch: Any, groups: list[FunctionLogGroup], since_seconds: float, now: float | None = None
) -> dict[str, int]:
    """Sum of the AWS/Lambda ``Throttles`` metric per function (throttles write no log line)."""
    import datetime as dt

    end = dt.datetime.fromtimestamp(time.time() if now is None else now, tz=dt.UTC)
    start = end - dt.timedelta(seconds=since_seconds)
    result: dict[str, int] = {}
    for group in groups:
        try:
            stats = cloudwatch.get_metric_statistics(
                Namespace="AWS/Lambda",
                MetricName="Throttles",
                Dimensions=[{"Name": "FunctionName", "Value": group.function_name}],
                StartTime=start,
                EndTime=end,
                Period=60 * max(1, math.ceil(since_seconds / 1440 / 60)),
                Statistics=["Sum"],
            )
        except Exception:  # noqa: S112 - metrics are a bonus; the logs are the table
            continue
        result[group.function] = int(sum(p.get("Sum", 0) for p in stats.get("Datapoints", [])))
    return result


def cloudwatch_report(
    stack: str,
    since: str,
    region: str | None = None,
    architecture: str = "x86_64",
    session: Any | None = None,
    now: float | None = None,
) -> str:
    """``edu report --cloudwatch``: the per-function table (Markdown) of ``stack``'s functions
    over the last ``since``, from their REPORT lines."""
    from edu_loadtest.report import Report, aggregate, render_markdown
    from edu_platform import load_registry

    window = parse_since(since)
    if session is None:
        import boto3

        session = boto3.session.Session(region_name=region)
    logs = session.client("logs")
    groups = find_function_log_groups(stack, session.client("cloudformation"), logs)
    if not groups:
        raise ValueError(f"no Lambda functions or /aws/lambda/{stack}-* log groups for {stack!r}")
    samples, streams = report_samples(groups, logs, window, now)
    throttles = throttles_from_metrics(session.client("cloudwatch"), groups, window, now)
    rows = aggregate(samples, (), architecture, load_registry().names)
    for row in rows:
        row.peak_environments = streams.get(row.function, row.peak_environments)
        row.throttles = throttles.get(row.function, row.throttles)
    report = Report(
        title=f"CloudWatch report: stack {stack}, last {since}",
        source=(
            "REPORT lines in CloudWatch Logs (latency = Duration + Init Duration; peak envs = "
            "distinct log streams, one per execution environment, in the window; throttles = "
            "the AWS/Lambda Throttles metric; no DB connection sampling)"
        ),
        architecture=architecture,
        rows=rows,
        context={
            "stack": stack,
            "window": since,
            "log groups": ", ".join(g.log_group for g in groups),
            "REPORT lines": len(samples),
        },
    )
    return render_markdown(report)
