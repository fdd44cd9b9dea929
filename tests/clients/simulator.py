"""What the scripts run against `lambda-sim serve` share: boto3 clients of its endpoint (no
profile, placeholder keys, no retries) and waiting for a condition."""

import time

import boto3
import botocore.config


def client(endpoint, service):
    """A boto3 client of `service` at `endpoint`."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIALAMBDASIMTEST000",
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=120),
    )


def until(what, check, seconds=60):
    """`check()`'s first true value, polled every 0.2 s for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)
