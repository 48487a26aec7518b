"""Drives the local stack with boto3 as a Python user would, and prints what it saw as JSON.

Usage: python3 boto3_probe.py ENDPOINT BUCKET STATE_MACHINE_ARN RULE FUNCTION
The Go test (boto3_test.go) checks the output. Every call goes over HTTP to ENDPOINT.
"""
import json
import sys

import boto3
import botocore
from botocore.config import Config

endpoint, bucket, machine, rule, function = sys.argv[1:6]
session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})


def client(name):
    return session.client(name, endpoint_url=endpoint, config=cfg)


def error_code(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


out = {"boto3": boto3.__version__, "botocore": botocore.__version__}

s3 = client("s3")
s3.put_object(Bucket=bucket, Key="probe/a.txt", Body=b"hello")
out["s3_list"] = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="probe/").get("Contents", [])]
out["s3_get"] = s3.get_object(Bucket=bucket, Key="probe/a.txt")["Body"].read().decode()
out["s3_missing"] = error_code(lambda: s3.get_object(Bucket=bucket, Key="probe/none"))
out["s3_buckets"] = [b["Name"] for b in s3.list_buckets()["Buckets"]]

sfn = client("stepfunctions")
arn = sfn.create_state_machine(
    name="probe", roleArn="arn:aws:iam::000000000000:role/probe",
    definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
)["stateMachineArn"]
for i in range(3):
    sfn.start_execution(stateMachineArn=arn, name="probe-%d" % i, input="{}")
pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, PaginationConfig={"PageSize": 1})
page_sizes = [len(p["executions"]) for p in pages]
out["sfn_pages"] = page_sizes
out["sfn_machines"] = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
try:
    sfn.describe_execution(executionArn=arn.replace(":stateMachine:", ":execution:") + ":nope")
    out["sfn_modeled_error"] = None
except sfn.exceptions.ExecutionDoesNotExist as e:
    out["sfn_modeled_error"] = type(e).__name__
out["sfn_duplicate_name"] = error_code(lambda: sfn.create_state_machine(
    name="probe", roleArn="arn:aws:iam::000000000000:role/probe",
    definition=json.dumps({"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": True}}})))

events = client("events")
out["events_rules"] = [r["Name"] for r in events.list_rules()["Rules"]]
out["events_match"] = events.test_event_pattern(
    EventPattern=json.dumps({"source": ["aws.s3"]}),
    Event=json.dumps({"id": "1", "account": "000000000000", "source": "aws.s3", "time": "2024-01-01T00:00:00Z",
                      "region": "us-east-1", "resources": [], "detail-type": "Object Created", "detail": {}}),
)["Result"]
out["events_bad_pattern"] = error_code(lambda: events.test_event_pattern(EventPattern="{", Event="{}"))

lam = client("lambda")
out["lambda_functions"] = sorted(f["FunctionName"] for f in lam.list_functions()["Functions"])
out["lambda_missing"] = error_code(lambda: lam.invoke(FunctionName="no-such-function", Payload=b"{}"))
res = lam.invoke(FunctionName=function, Payload=b"{}")
out["lambda_function_error"] = res.get("FunctionError")

cw = client("cloudwatch")
cw.put_metric_data(Namespace="Probe", MetricData=[
    {"MetricName": "Hits", "Value": 2.5, "Unit": "Count", "Dimensions": [{"Name": "Stage", "Value": "p"}]},
    {"MetricName": "Hits", "Values": [1, 2], "Counts": [1, 3], "Unit": "Count", "Dimensions": [{"Name": "Stage", "Value": "p"}]},
])
out["cw_metrics"] = [m["MetricName"] for m in cw.list_metrics(Namespace="Probe")["Metrics"]]
import datetime
now = datetime.datetime.now(datetime.timezone.utc)
stats = cw.get_metric_statistics(Namespace="Probe", MetricName="Hits", Dimensions=[{"Name": "Stage", "Value": "p"}],
                                 StartTime=now - datetime.timedelta(hours=1), EndTime=now + datetime.timedelta(hours=1),
                                 Period=7200, Statistics=["Sum", "SampleCount"])
out["cw_sum"] = sum(d["Sum"] for d in stats["Datapoints"])
data = cw.get_metric_data(StartTime=now - datetime.timedelta(hours=1), EndTime=now + datetime.timedelta(hours=1),
                          MetricDataQueries=[{"Id": "h", "MetricStat": {"Metric": {"Namespace": "Probe", "MetricName": "Hits",
                                              "Dimensions": [{"Name": "Stage", "Value": "p"}]}, "Period": 7200, "Stat": "Maximum"}}])
out["cw_max"] = data["MetricDataResults"][0]["Values"]
out["cw_bad_period"] = error_code(lambda: cw.get_metric_statistics(
    Namespace="Probe", MetricName="Hits", StartTime=now - datetime.timedelta(hours=1), EndTime=now, Period=7, Statistics=["Sum"]))
out["cw_protocol"] = cw.meta.service_model.protocol

print(json.dumps(out))
