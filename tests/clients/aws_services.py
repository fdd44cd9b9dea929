"""boto3, unmodified, against `lambda-sim serve`'s AWS service APIs: Kinesis, Firehose, S3, SQS
and DynamoDB, their answers and the exception classes boto3 raises for their errors. The
template (tests/all/aws_apis.rs) has a stream `clicks` read by the forwarder into the delivery
stream `clicks-delivery` (bucket `clicks-archive`), and a queue `jobs` read by the aggregator.

Usage: aws_services.py ENDPOINT"""

import json
import sys

import simulator

ENDPOINT = sys.argv[1]


def client(service):
    return simulator.client(ENDPOINT, service)


def ok(what):
    print(f"ok: {what}", flush=True)


def raises(exception, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except exception as err:
        return err
    raise AssertionError(f"{call.__name__} did not raise {exception.__name__}")


until = simulator.until


def kinesis_to_s3():
    kinesis, s3 = client("kinesis"), client("s3")
    kinesis.create_stream(StreamName="orders", ShardCount=2)
    shards = kinesis.list_shards(StreamName="orders")["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000", "shardId-000000000001"]
    err = raises(kinesis.exceptions.ResourceNotFoundException, kinesis.describe_stream, StreamName="nope")
    assert "Stream nope under account 123456789012 not found." in str(err), err
    ok("kinesis streams and ResourceNotFoundException")

    put = kinesis.put_record(StreamName="orders", Data=b"first", PartitionKey="a")
    iterator = kinesis.get_shard_iterator(
        StreamName="orders", ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    got = kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in got["Records"]] == [b"first"], got
    assert got["Records"][0]["SequenceNumber"] == put["SequenceNumber"]
    ok("kinesis put_record and get_records")

    for part in range(2):
        records = [
            {"Data": json.dumps({"id": i, "type": "click"}).encode(), "PartitionKey": f"user-{i % 11}"}
            for i in range(part * 500, part * 500 + 500)
        ]
        answer = kinesis.put_records(StreamName="clicks", Records=records)
        assert answer["FailedRecordCount"] == 0, answer
    ok("kinesis put_records of 1,000 records")

    def all_delivered():
        ids = {}
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket="clicks-archive", Prefix="clicks/")
        for page in pages:
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket="clicks-archive", Key=obj["Key"])["Body"].read()
                for line in body.decode().splitlines():
                    record = json.loads(line)
                    ids[record["id"]] = ids.get(record["id"], 0) + 1
        return ids if len(ids) == 1000 else None

    ids = until("the forwarder's objects in S3", all_delivered)
    assert sorted(ids) == list(range(1000)) and set(ids.values()) == {1}, "lost or duplicated"
    ok("1,000 records through the forwarder and Firehose to S3, 0 lost, 0 duplicated")


def firehose():
    firehose, s3 = client("firehose"), client("s3")
    answer = firehose.put_record_batch(
        DeliveryStreamName="clicks-delivery",
        Records=[{"Data": json.dumps({"id": 5000 + i}).encode() + b"\n"} for i in range(10)],
    )
    assert answer["FailedPutCount"] == 0 and len(answer["RequestResponses"]) == 10, answer
    description = firehose.describe_delivery_stream(DeliveryStreamName="clicks-delivery")
    destination = description["DeliveryStreamDescription"]["Destinations"][0]
    assert destination["ExtendedS3DestinationDescription"]["BucketARN"] == "arn:aws:s3:::clicks-archive"
    assert "clicks-delivery" in firehose.list_delivery_streams()["DeliveryStreamNames"]
    raises(
        firehose.exceptions.ResourceNotFoundException,
        firehose.put_record,
        DeliveryStreamName="nope",
        Record={"Data": b"x"},
    )
    ok("firehose put_record_batch, describe, ResourceNotFoundException")


def s3_objects():
    s3 = client("s3")
    s3.create_bucket(Bucket="photos")
    s3.create_bucket(Bucket="photos")  # us-east-1: S3 answers its owner 200 again
    body = bytes(range(256)) * 10
    put = s3.put_object(Bucket="photos", Key="2026/cat one.bin", Body=body)
    got = s3.get_object(Bucket="photos", Key="2026/cat one.bin")
    assert got["Body"].read() == body and got["ETag"] == put["ETag"]
    ranged = s3.get_object(Bucket="photos", Key="2026/cat one.bin", Range="bytes=10-19")
    assert ranged["Body"].read() == body[10:20] and ranged["ContentRange"] == "bytes 10-19/2560"
    head = s3.head_object(Bucket="photos", Key="2026/cat one.bin")
    assert head["ContentLength"] == 2560
    s3.put_object(Bucket="photos", Key="top.txt", Body=b"top")
    listed = s3.list_objects_v2(Bucket="photos", Delimiter="/")
    assert [c["Key"] for c in listed["Contents"]] == ["top.txt"], listed
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["2026/"], listed
    raises(s3.exceptions.NoSuchKey, s3.get_object, Bucket="photos", Key="missing")
    raises(s3.exceptions.NoSuchBucket, s3.list_objects_v2, Bucket="no-such-bucket")
    s3.delete_object(Bucket="photos", Key="top.txt")
    assert "photos" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    ok("s3 buckets, objects, ranges, listing, NoSuchKey, NoSuchBucket")


def sqs_to_lambda():
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    raises(sqs.exceptions.QueueDoesNotExist, sqs.get_queue_url, QueueName="nope")
    for i in range(25):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"type": "job", "id": i}))

    def drained():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        held = int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
        return held == 0
    until("the aggregator's mapping to delete every message", drained)
    ok("sqs messages consumed by the aggregator's event-source mapping")

    own = sqs.create_queue(QueueName="scratch")["QueueUrl"]
    sqs.send_message(QueueUrl=own, MessageBody="hello")
    received = sqs.receive_message(QueueUrl=own, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in received] == ["hello"]
    sqs.delete_message(QueueUrl=own, ReceiptHandle=received[0]["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=own, WaitTimeSeconds=0)
    ok("sqs create, send, receive, delete, QueueDoesNotExist")


def dynamodb():
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="users",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for sk in range(3):
        ddb.put_item(TableName="users", Item={"pk": {"S": "ada"}, "sk": {"N": str(sk)}, "n": {"N": "1"}})
    err = raises(
        ddb.exceptions.ConditionalCheckFailedException,
        ddb.put_item,
        TableName="users",
        Item={"pk": {"S": "ada"}, "sk": {"N": "0"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    assert "The conditional request failed" in str(err), err
    updated = ddb.update_item(
        TableName="users",
        Key={"pk": {"S": "ada"}, "sk": {"N": "1"}},
        UpdateExpression="ADD n :one SET #t = :t",
        ExpressionAttributeNames={"#t": "tag"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"S": "x"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert updated["n"] == {"N": "2"} and updated["tag"] == {"S": "x"}, updated
    query = ddb.query(
        TableName="users",
        KeyConditionExpression="pk = :p AND sk >= :s",
        ExpressionAttributeValues={":p": {"S": "ada"}, ":s": {"N": "1"}},
        ScanIndexForward=False,
    )
    assert [i["sk"]["N"] for i in query["Items"]] == ["2", "1"], query
    raises(ddb.exceptions.ResourceNotFoundException, ddb.get_item, TableName="nope", Key={"pk": {"S": "x"}})
    ok("dynamodb tables, conditional put, update, query, ResourceNotFoundException")


kinesis_to_s3()
firehose()
s3_objects()
sqs_to_lambda()
dynamodb()
print("all AWS service checks passed")
