"""Feeds `lambda-sim serve --template benches/live/template.yaml` at a steady rate with boto3
(PutRecords of 500 records), then reads S3 back through the S3 API until every record has
arrived, and prints what was sent, delivered, duplicated and lost, and how far delivery lagged.

Usage: produce.py ENDPOINT [RATE records/s, default 5000] [SECONDS, default 60]"""

import json
import sys
import threading
import time

import boto3
import botocore.config

ENDPOINT = sys.argv[1]
RATE = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 60
BATCH = 500


def client(service):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="AKIALAMBDASIMTEST000",
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=4),
    )


s3 = client("s3")
padding = "x" * 120
total = RATE * SECONDS
PRODUCERS = 4
throttled = [0] * PRODUCERS


def produce(n):
    """Producer `n` of PRODUCERS: batches n, n + PRODUCERS, ... each at its time."""
    kinesis = client("kinesis")
    for first in range(n * BATCH, total, PRODUCERS * BATCH):
        due = start + first / RATE
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        records = [
            {"Data": json.dumps({"id": i, "type": "view", "pad": padding}).encode(), "PartitionKey": f"user-{i % 997}"}
            for i in range(first, min(first + BATCH, total))
        ]
        retry = records
        while retry:
            answer = kinesis.put_records(StreamName="events", Records=retry)
            failed = [r for r, a in zip(retry, answer["Records"]) if "ErrorCode" in a]
            if failed:
                # A shard past 1,000 records/s refuses some: put them again, as producers do.
                throttled[n] += len(failed)
                time.sleep(0.05)
            retry = failed


start = time.monotonic()
threads = [threading.Thread(target=produce, args=(n,)) for n in range(PRODUCERS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
produced = time.monotonic() - start
print(f"sent {total} records in {produced:.1f} s ({total / produced:.0f} records/s) from {PRODUCERS} producers, {sum(throttled)} throttled and put again", flush=True)

seen = {}
keys_read = set()
deadline = time.monotonic() + 120
while True:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="archive", Prefix="events/")
    for page in pages:
        for obj in page.get("Contents", []):
            if obj["Key"] in keys_read:
                continue
            keys_read.add(obj["Key"])
            body = s3.get_object(Bucket="archive", Key=obj["Key"])["Body"].read()
            for line in body.splitlines():
                i = json.loads(line)["id"]
                seen[i] = seen.get(i, 0) + 1
    if len(seen) >= total or time.monotonic() > deadline:
        break
    time.sleep(0.5)
lag = time.monotonic() - start - produced
lost = total - len(seen)
duplicated = sum(1 for n in seen.values() if n > 1)
print(f"delivered {len(seen)} in {len(keys_read)} objects; {duplicated} duplicated, {lost} lost; last record in S3 {lag:.1f} s after the last put")
sys.exit(1 if lost else 0)
