"""A throwaway S3-compatible server for tests (moto's), on 127.0.0.1, with one empty bucket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

BUCKET = "hearth-media"
ACCESS_KEY = "hearth-test"
SECRET_KEY = "hearth-test"


@contextmanager
def throwaway_bucket() -> Iterator[str]:
    """Start the server, make ``BUCKET`` and yield the server's address."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        ).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()
