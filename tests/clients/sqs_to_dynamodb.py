"""boto3 outside, boto3 inside: messages sent to the `jobs` queue reach the Python handler
`writer` (fixtures/python/sqs-to-dynamodb) through the SQS event-source mapping, and the items it
puts with boto3 are read back from outside. A message whose key exists fails in the handler
(ConditionalCheckFailedException) and goes to `jobs-failed`. The handler's request to another
host is refused. The template is in tests/all/aws_apis.rs.

Usage: sqs_to_dynamodb.py ENDPOINT"""

import json
import sys

import simulator
from simulator import until

ENDPOINT = sys.argv[1]


def client(service):
    return simulator.client(ENDPOINT, service)


sqs, ddb, lam = client("sqs"), client("dynamodb"), client("lambda")
ddb.create_table(
    TableName="jobs",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
queue = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
for i, task in [(1, "index"), (2, "resize"), (3, "notify")]:
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"id": i, "task": task}))


def item(i):
    return ddb.get_item(TableName="jobs", Key={"id": {"S": str(i)}}).get("Item")


for i, task in [(1, "index"), (2, "resize"), (3, "notify")]:
    got = until(f"item {i} in DynamoDB", lambda: item(i))
    assert got == {"id": {"S": str(i)}, "task": {"S": task}}, got
print("ok: three messages became three items, read back with get-item")

# The same key again: the handler's conditional put fails, the message goes to the DLQ.
sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"id": 1, "task": "again"}))
failed = sqs.get_queue_url(QueueName="jobs-failed")["QueueUrl"]


def dead_lettered():
    return sqs.receive_message(QueueUrl=failed, WaitTimeSeconds=1).get("Messages")


moved = until("the failed message in the dead-letter queue", dead_lettered)
assert json.loads(moved[0]["Body"]) == {"id": 1, "task": "again"}, moved
assert item(1) == {"id": {"S": "1"}, "task": {"S": "index"}}, "the item was not overwritten"
print("ok: a conditional put of an existing key failed in the handler; the message went to the DLQ")

answer = lam.invoke(FunctionName="writer", Payload=json.dumps({"elsewhere": True}))
result = json.loads(answer["Payload"].read())
assert result["error"] == "RequestDenied", result
assert 'lambda-sim refused the request to "https://example.com/"' in result["message"], result
print("ok: boto3 inside the handler cannot reach another host")
print("all SQS to DynamoDB checks passed")
