"""boto3, unmodified, calling `invoke_with_response_stream` on `lambda-sim serve`: the event
stream's PayloadChunk events as they arrive (with the time each arrived) and its
InvokeComplete, printed as JSON on stdout.

Usage: response_stream.py ENDPOINT FUNCTION PAYLOAD_JSON"""

import base64
import json
import sys
import time

import simulator

ENDPOINT, FUNCTION, PAYLOAD = sys.argv[1], sys.argv[2], sys.argv[3]

client = simulator.client(ENDPOINT, "lambda")
started = time.monotonic()
answer = client.invoke_with_response_stream(
    FunctionName=FUNCTION, Payload=PAYLOAD.encode(), LogType="Tail"
)
chunks, complete = [], None
for event in answer["EventStream"]:
    at_ms = (time.monotonic() - started) * 1000
    if "PayloadChunk" in event:
        data = event["PayloadChunk"]["Payload"]
        chunks.append({"at_ms": at_ms, "text": data.decode(errors="replace"), "bytes": len(data)})
    elif "InvokeComplete" in event:
        complete = dict(event["InvokeComplete"])
        complete["at_ms"] = at_ms
        if "LogResult" in complete:
            complete["LogResult"] = base64.b64decode(complete["LogResult"]).decode()
print(
    json.dumps(
        {
            "status": answer["StatusCode"],
            "executed_version": answer.get("ExecutedVersion"),
            "content_type": answer.get("ResponseStreamContentType"),
            "chunks": chunks,
            "complete": complete,
        }
    )
)
