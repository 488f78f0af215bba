"""Uploads, exports and purges on an S3 bucket (django-storages), against moto's S3 server over HTTP:
the very requests the product would send to a bucket, nothing of the product mocked."""

import socket

import boto3
import pytest
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from exports.services import export_job_create, export_job_run
from uploads.models import FileUpload, UploadStatus
from uploads.services import upload_revert
from uploads.services.retention import upload_files_purge
from uploads.tests.factories import upload_rows

BUCKET = "voiceassist-files"
ROWS = [["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "1,000"]]


@pytest.fixture(scope="module")
def s3_server():
    with socket.socket() as probe:  # a free port for this run
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=s3_server, **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.django_db
def test_an_upload_is_stored_in_the_bucket_read_from_it_and_purged_from_it(bucket):
    assert isinstance(storages["default"], S3Storage)
    upload = upload_rows(ROWS)

    assert upload.status == UploadStatus.COMPLETED and upload.counts["created"] == 1
    assert upload.file.name in _keys(bucket)
    assert bucket.get_object(Bucket=BUCKET, Key=upload.file.name)["Body"].read().startswith(b"Name,Phone")

    upload_revert(upload=upload, actor=None)
    assert upload_files_purge() == 1
    assert upload.file.name not in _keys(bucket)
    assert FileUpload.objects.get(pk=upload.pk).file_purged_at is not None


@pytest.mark.django_db
def test_an_export_job_writes_its_file_to_the_bucket(bucket, back_office_user):
    upload_rows(ROWS)
    job = export_job_create(user=back_office_user, name="customers", fmt="csv")

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "completed" and job.file.name in _keys(bucket)
    with job.file.open("rb") as file:
        lines = file.read().decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Asha Rao" in lines[1]
