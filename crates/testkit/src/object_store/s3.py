#!/usr/bin/env python3
"""Writes to an S3 server with boto3 (path-style addressing, SigV4).

  s3.py iam-user                   moto only: an IAM user with s3:* and its access key,
                                   printed as "KEY SECRET" (uses the unauthenticated calls)
  s3.py create BUCKET
  s3.py put BUCKET KEY FILE
  s3.py delete BUCKET KEY

Environment: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY.
"""
import json, os, sys
import boto3
from botocore.config import Config

endpoint = os.environ["S3_ENDPOINT"]


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=os.environ.get("S3_ACCESS_KEY", "x"),
                        aws_secret_access_key=os.environ.get("S3_SECRET_KEY", "x"),
                        config=Config(s3={"addressing_style": "path"}))


command, args = sys.argv[1], sys.argv[2:]
if command == "iam-user":
    iam = client("iam")
    iam.create_user(UserName="flux")
    iam.put_user_policy(UserName="flux", PolicyName="s3", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="flux")["AccessKey"]
    print(key["AccessKeyId"], key["SecretAccessKey"])
elif command == "create":
    client("s3").create_bucket(Bucket=args[0])
elif command == "put":
    with open(args[2], "rb") as f:
        client("s3").put_object(Bucket=args[0], Key=args[1], Body=f.read())
elif command == "delete":
    client("s3").delete_object(Bucket=args[0], Key=args[1])
else:
    sys.exit(f"unknown command {command}")
