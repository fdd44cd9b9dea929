"""End-to-end checks of `lambda-sim serve` with unmodified boto3 (run by tests/all/clients.rs).

Usage: python boto3_e2e.py http://127.0.0.1:PORT

The server serves (see the test's lambda-sim.toml): `hello`, `panic`, `spin` (spin-forever,
1 s timeout, reserved concurrency 1) and `closed` (hello with reserved concurrency 0).
Each check prints `ok: ...`; the first failure raises with what was received.
"""

import base64
import json
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
lam = boto3.client(
    "lambda",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=Config(retries={"total_max_attempts": 1}, read_timeout=60, connect_timeout=5),
)


def check(condition, what, got):
    if not condition:
        raise AssertionError(f"{what}: got {got!r}")
    print(f"ok: {what}")


# RequestResponse and its payload; Tail logs carry the REPORT line.
r = lam.invoke(FunctionName="hello", Payload=json.dumps({"name": "boto3"}).encode(), LogType="Tail")
payload = json.loads(r["Payload"].read())
check(r["StatusCode"] == 200, "RequestResponse answers 200", r["StatusCode"])
check(payload == {"echo": {"name": "boto3"}, "greeting": "hello, boto3"}, "the handler's payload", payload)
check("FunctionError" not in r, "no FunctionError on success", r.get("FunctionError"))
check(r["ExecutedVersion"] == "$LATEST", "ExecutedVersion is $LATEST", r.get("ExecutedVersion"))
log = base64.b64decode(r["LogResult"]).decode()
lines = log.splitlines()
check(lines[-1].startswith("REPORT RequestId: " + r["ResponseMetadata"]["RequestId"]),
      "the Tail log ends with this request's REPORT line", lines[-1])
check("\tBilled Duration: " in lines[-1] and "\tInit Duration: " in lines[-1],
      "the first invocation's REPORT has Init Duration", lines[-1])
check(any(line == "greeting boto3" for line in lines), "the handler's own log line is in the tail", lines)

# A full ARN, percent-encoded in the path by botocore, and a qualifier.
r = lam.invoke(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:hello", Payload=b"{}")
check(json.loads(r["Payload"].read())["greeting"] == "hello, world", "a full ARN finds the function", r)
r = lam.invoke(FunctionName="hello", Qualifier="$LATEST", Payload=b"")
check(r["StatusCode"] == 200, "Qualifier=$LATEST and an empty payload ({})", r["StatusCode"])

# Function errors: a panic and a timeout are "Unhandled" with Lambda's error payload.
r = lam.invoke(FunctionName="panic", Payload=b"{}")
body = json.loads(r["Payload"].read())
check(r["FunctionError"] == "Unhandled", "a panic is FunctionError Unhandled", r.get("FunctionError"))
check(body["errorMessage"] == "Lambda panicked: boom", "the panic's errorMessage", body)
r = lam.invoke(FunctionName="spin", Payload=b"{}", LogType="Tail")
body = json.loads(r["Payload"].read())
check(r["FunctionError"] == "Unhandled", "a timeout is FunctionError Unhandled", r.get("FunctionError"))
check(body["errorType"] == "Sandbox.Timedout", "the timeout's errorType", body)
check("Task timed out after 1.00 seconds" in body["errorMessage"], "the timeout's message", body)
tail = base64.b64decode(r["LogResult"]).decode()
check("Status: timeout" in tail.splitlines()[-1], "the timeout's REPORT line says Status: timeout", tail)

# Unknown functions raise the named exception.
try:
    lam.invoke(FunctionName="nope", Payload=b"{}")
    raise AssertionError("an unknown function should raise")
except lam.exceptions.ResourceNotFoundException as e:
    message = e.response["Error"]["Message"]
    check(message == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST",
          "ResourceNotFoundException names the function", message)
try:
    lam.invoke(FunctionName="hello", Qualifier="prod", Payload=b"{}")
    raise AssertionError("an unknown alias should raise")
except lam.exceptions.ResourceNotFoundException as e:
    check(e.response["Error"]["Message"].endswith(":function:hello:prod"), "an unknown alias is not found", e.response)

# Throttles: reserved concurrency 0 refuses every invocation; 1 refuses a second concurrent one.
try:
    lam.invoke(FunctionName="closed", Payload=b"{}")
    raise AssertionError("reserved concurrency 0 should throttle")
except lam.exceptions.TooManyRequestsException as e:
    check(e.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded",
          "TooManyRequestsException carries the Reason", e.response)
    check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 429, "a throttle is HTTP 429", e.response)

busy = threading.Thread(target=lambda: lam.invoke(FunctionName="spin", Payload=b"{}"))
busy.start()
time.sleep(0.3)
try:
    lam.invoke(FunctionName="spin", Payload=b"{}")
    raise AssertionError("a second concurrent invocation should be throttled")
except lam.exceptions.TooManyRequestsException as e:
    check(e.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded",
          "a second invocation beyond reserved concurrency 1 is throttled", e.response)
busy.join()

# Event -> 202, DryRun -> 204.
r = lam.invoke(FunctionName="hello", InvocationType="Event", Payload=b'{"name": "async"}')
check(r["StatusCode"] == 202, "Event answers 202", r["StatusCode"])
r = lam.invoke(FunctionName="hello", InvocationType="DryRun", Payload=b"{}")
check(r["StatusCode"] == 204, "DryRun answers 204", r["StatusCode"])

# A payload that is not JSON, and one over 6 MB.
try:
    lam.invoke(FunctionName="hello", Payload=b"not json")
    raise AssertionError("a body that is not JSON should raise")
except lam.exceptions.InvalidRequestContentException as e:
    check(e.response["Error"]["Message"].startswith("Could not parse request body into json"),
          "InvalidRequestContentException for a body that is not JSON", e.response)
try:
    lam.invoke(FunctionName="hello", Payload=b'"' + b"x" * 6_291_456 + b'"')
    raise AssertionError("a body over 6 MB should raise")
except ClientError as e:
    # As AWS answers it: botocore has no class for this code, so a ClientError carries it.
    check((e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
          == ("RequestEntityTooLargeException", 413), "RequestEntityTooLargeException (413) over 6 MB", e.response)
    check(e.response["Error"]["Message"]
          == "Request must be smaller than 6291456 bytes for the InvokeFunction operation", "its message", e.response)

# The read APIs.
names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
check(names == ["hello", "panic", "spin", "closed"], "ListFunctions lists every function", names)
conf = lam.get_function_configuration(FunctionName="spin")
check((conf["MemorySize"], conf["Timeout"], conf["State"]) == (128, 1, "Active"),
      "GetFunctionConfiguration has the memory size, timeout and state", conf)
fn = lam.get_function(FunctionName="spin")
check(fn["Concurrency"]["ReservedConcurrentExecutions"] == 1, "GetFunction shows reserved concurrency", fn)
print("all boto3 checks passed")
