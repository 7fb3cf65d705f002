"""Given a deployed stack's log groups with REPORT lines in AWS's exact format (moto), when
`edu report --cloudwatch` builds its table, then each function's row matches the lines."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from edu_cli.main import app
from edu_loadtest.cloudwatch import (
    cloudwatch_report,
    find_function_log_groups,
    report_samples,
)

STACK = "edu-prod"
REGION = "us-east-1"


def report_line(request_id: str, duration: float, billed: int, init: float | None = None) -> str:
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
        f"Billed Duration: {billed} ms\tMemory Size: 512 MB\tMax Memory Used: 110 MB\t"
    )
    if init is not None:
        line += f"Init Duration: {init:.2f} ms\t"
    return line + "\n"


def put(logs: Any, group: str, stream: str, messages: list[str], at_ms: int) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": at_ms + i, "message": m} for i, m in enumerate(messages)],
    )


@pytest.fixture
def deployed_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        logs = boto3.client("logs", region_name=REGION)
        now_ms = int(time.time() * 1000) - 60_000
        course = f"/aws/lambda/{STACK}-CourseFunction-AbC123"
        payment = f"/aws/lambda/{STACK}-PaymentFunction-XyZ789"
        for name in ("Identity", "Enrollment", "Notification"):
            logs.create_log_group(logGroupName=f"/aws/lambda/{STACK}-{name}Function-Q1w2E3")
        logs.create_log_group(logGroupName=course)
        logs.create_log_group(logGroupName=payment)
        logs.create_log_group(logGroupName="/aws/lambda/other-stack-CourseFunction-Zz")
        # Course: two environments (two log streams), each with one cold start.
        put(logs, course, "2025/11/26/[$LATEST]aaaa", [
            "START RequestId: c-1 Version: $LATEST\n",
            report_line("c-1", 120.0, 1020, init=900.0),
            "END RequestId: c-1\n",
            report_line("c-2", 10.0, 10),
            report_line("c-3", 20.0, 20),
        ], now_ms)  # fmt: skip
        put(logs, course, "2025/11/26/[$LATEST]bbbb", [
            report_line("c-4", 100.0, 1100, init=1000.0),
            report_line("c-5", 30.0, 30),
            "REPORT RequestId: c-6\tDuration: 15000.00 ms\tBilled Duration: 15000 ms\t"
            "Memory Size: 512 MB\tMax Memory Used: 200 MB\tStatus: timeout\t\n",
        ], now_ms + 100)  # fmt: skip
        put(logs, payment, "2025/11/26/[$LATEST]cccc", [
            report_line("p-1", 50.0, 850, init=800.0),
            report_line("p-2", 5.0, 5),
        ], now_ms)  # fmt: skip
        # Outside the window: must not count.
        put(logs, payment, "2025/11/25/[$LATEST]old", [report_line("p-0", 5.0, 5)],
            now_ms - 3 * 3600 * 1000)  # fmt: skip
        yield logs


def test_the_stack_log_groups_are_found_by_name(deployed_logs: Any) -> None:
    groups = find_function_log_groups(STACK, None, deployed_logs)

    assert [g.function for g in groups] == [
        "course", "enrollment", "identity", "notification", "payment",
    ]  # fmt: skip
    assert all(g.log_group.startswith(f"/aws/lambda/{STACK}-") for g in groups)


def test_report_lines_become_samples_with_cold_starts_and_environments(
    deployed_logs: Any,
) -> None:
    groups = find_function_log_groups(STACK, None, deployed_logs)

    samples, streams = report_samples(groups, deployed_logs, 3600)

    course = [s for s in samples if s.function == "course"]
    assert len(course) == 6
    assert sum(1 for s in course if s.cold) == 2
    assert sum(1 for s in course if s.outcome == "timeout") == 1
    assert streams == {"course": 2, "payment": 1}
    assert len([s for s in samples if s.function == "payment"]) == 2  # the old one left out


def test_the_table_has_a_row_per_function(deployed_logs: Any) -> None:
    text = cloudwatch_report(STACK, "1h", region=REGION)

    assert f"# CloudWatch report: stack {STACK}, last 1h" in text
    # course: 6 invocations, 2 cold (1020 and 1100 ms with init), 1 timeout, 2 environments;
    # GB-s = (1020 + 10 + 20 + 1100 + 30 + 15000) ms x 0.5 GB.
    assert (
        "| course | 6 | 2 | 1,020.0 | 1,100.0 | 20.0 | 15,000.0 | 15,000.0 | 1 | 0 | 2 | - "
        "| 8.590 |"
    ) in text
    assert "| payment | 2 | 1 | 850.0 | 850.0 | 5.0 | 5.0 | 5.0 | 0 | 0 | 1 | - |" in text
    for function in ("identity", "enrollment", "notification"):
        assert f"| {function} | 0 | 0 |" in text
    assert "https://aws.amazon.com/lambda/pricing/" in text


def test_the_cli_prints_the_same_table(deployed_logs: Any) -> None:
    result = CliRunner().invoke(
        app, ["report", "--cloudwatch", "--stack", STACK, "--since", "1h", "--region", REGION]
    )

    assert result.exit_code == 0, result.output
    assert "| course | 6 | 2 |" in result.output


def test_an_unknown_stack_is_a_clear_error(deployed_logs: Any) -> None:
    result = CliRunner().invoke(app, ["report", "--cloudwatch", "--stack", "nope"])

    assert result.exit_code == 1
    assert "no Lambda functions" in result.output


def deploy_stack(functions: dict[str, str]) -> Any:
    """A CloudFormation stack (moto) with a Lambda function per logical id -> physical name,
    besides resources that are not functions."""
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "lambda.amazonaws.com"}}],
    }}}  # fmt: skip
    resources: dict[str, Any] = {"Role": role}
    for logical_id, physical in functions.items():
        resources[logical_id] = {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": physical, "Runtime": "python3.12", "Handler": "index.handler",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"},
        }}  # fmt: skip
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps({"Resources": resources}),
        Capabilities=["CAPABILITY_IAM"],
    )
    return cloudformation


def test_the_stack_resources_name_the_functions_when_cloudformation_knows_the_stack(
    deployed_logs: Any,
) -> None:
    # Given a deployed stack whose function's physical name no log group prefix reveals
    cloudformation = deploy_stack({"CourseFunction": "renamed-course-fn"})
    # When its functions are looked up
    groups = find_function_log_groups(STACK, cloudformation, deployed_logs)
    # Then CloudFormation's resources name them, and their log groups follow
    assert [(g.function, g.function_name, g.log_group) for g in groups] == [
        ("course", "renamed-course-fn", "/aws/lambda/renamed-course-fn")
    ]
