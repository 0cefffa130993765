"""The Route 53 API with the real clients: boto3 against our DNS server, the AWS CLI, octoDNS."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from accounts import accesskeys
from tests.support import LiveDnsServer, query, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
BIN = Path(sys.executable).parent


@pytest.fixture
def credentials(owner) -> dict[str, str]:
    key, secret = accesskeys.create_access_key(owner=owner, name="clients")
    return {"AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": secret}


@pytest.fixture
def route53(live_server, credentials):
    return boto3.client(
        "route53",
        endpoint_url=live_server.url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 2}),
    )


def _environment(live_server, credentials, tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(credentials)
    env.update(
        AWS_ENDPOINT_URL=live_server.url,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def test_get_change_turns_insync_once_our_dns_server_answers_the_new_data(route53):
    zone_id = route53.create_hosted_zone(Name="insync.example", CallerReference="i")["HostedZone"]["Id"]
    with LiveDnsServer(["auth=127.0.0.1:0"]) as server:
        port = server.port("auth")
        wait_until(lambda: query("insync.example.", "SOA", port).answer, what="the zone")
        info = route53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": "www.insync.example",
                            "Type": "A",
                            "TTL": 60,
                            "ResourceRecords": [{"Value": "192.0.2.53"}],
                        },
                    }
                ]
            },
        )["ChangeInfo"]
        statuses = [info["Status"]]
        wait_until(
            lambda: (
                statuses.append(route53.get_change(Id=info["Id"])["ChangeInfo"]["Status"])
                or statuses[-1] == "INSYNC"
            ),
            what="the change to be INSYNC",
        )
        answer = query("www.insync.example.", "A", port).answer
        assert [rdata.address for rrset in answer for rdata in rrset] == ["192.0.2.53"]
        route53.get_waiter("resource_record_sets_changed").wait(Id=info["Id"], WaiterConfig={"Delay": 1})


def test_the_aws_cli_creates_a_zone_changes_it_waits_and_lists_with_auto_paging(
    live_server, credentials, tmp_path
):
    env = _environment(live_server, credentials, tmp_path)

    def aws(*args: str) -> dict:
        done = subprocess.run(
            [str(BIN / "aws"), "route53", *args, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    with LiveDnsServer(["auth=127.0.0.1:0"]):
        _cli_journey(aws, tmp_path)


def _cli_journey(aws, tmp_path) -> None:
    zone = aws("create-hosted-zone", "--name", "cli.example", "--caller-reference", "cli-1")["HostedZone"]
    batch = {
        "Changes": [
            {
                "Action": "CREATE",
                "ResourceRecordSet": {
                    "Name": f"h{n}.cli.example",
                    "Type": "A",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": "192.0.2.1"}],
                },
            }
            for n in range(250)
        ]
    }
    (tmp_path / "batch.json").write_text(json.dumps(batch))
    change = aws(
        "change-resource-record-sets",
        "--hosted-zone-id",
        zone["Id"],
        "--change-batch",
        f"file://{tmp_path / 'batch.json'}",
    )
    assert change["ChangeInfo"]["Id"].startswith("/change/C")
    aws("wait", "resource-record-sets-changed", "--id", change["ChangeInfo"]["Id"])
    assert aws("get-change", "--id", change["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC"
    listed = aws("list-resource-record-sets", "--hosted-zone-id", zone["Id"], "--page-size", "100")
    assert len(listed["ResourceRecordSets"]) == 252
    assert aws("get-hosted-zone", "--id", zone["Id"])["HostedZone"]["ResourceRecordSetCount"] == 252


def test_the_aws_cli_with_a_wrong_secret_gets_signature_does_not_match(live_server, credentials, tmp_path):
    env = _environment(live_server, {**credentials, "AWS_SECRET_ACCESS_KEY": "w" * 40}, tmp_path)
    done = subprocess.run(
        [str(BIN / "aws"), "route53", "list-hosted-zones"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SignatureDoesNotMatch" in done.stderr


OCTODNS_ZONE = """\
---
'':
  - type: A
    values: [192.0.2.1]
  - type: TXT
    value: v=spf1 -all
alias:
  type: Route53Provider/ALIAS
  values:
    - name: weighted
      type: A
geo:
  dynamic:
    pools:
      eu:
        values:
          - value: 192.0.2.20
      na:
        values:
          - value: 192.0.2.21
    rules:
      - geos: [EU]
        pool: eu
      - pool: na
  type: A
  value: 192.0.2.200
weighted:
  dynamic:
    pools:
      blue:
        values:
          - value: 192.0.2.10
            weight: 3
          - value: 192.0.2.11
            weight: 1
    rules:
      - pool: blue
  type: A
  value: 192.0.2.100
www:
  type: CNAME
  value: octo.example.
"""

OCTODNS_CONFIG = """\
providers:
  config:
    class: octodns.provider.yaml.YamlProvider
    directory: {directory}
  route53:
    class: octodns_route53.Route53Provider
    access_key_id: env/AWS_ACCESS_KEY_ID
    secret_access_key: env/AWS_SECRET_ACCESS_KEY
zones:
  octo.example.:
    sources: [config]
    targets: [route53]
"""


def test_octodns_syncs_a_zone_then_plans_no_changes_and_our_server_answers_it(
    live_server, credentials, tmp_path
):
    (tmp_path / "zones").mkdir()
    (tmp_path / "zones" / "octo.example.yaml").write_text(OCTODNS_ZONE)
    config = tmp_path / "octodns.yaml"
    config.write_text(OCTODNS_CONFIG.format(directory=tmp_path / "zones"))
    env = _environment(live_server, credentials, tmp_path)

    def sync(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(BIN / "octodns-sync"), "--config-file", str(config), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    sync("--doit")
    second = sync()
    assert "No changes were planned" in second.stdout + second.stderr
    with LiveDnsServer(["auth=127.0.0.1:0"]) as server:
        port = server.port("auth")
        wait_until(lambda: query("octo.example.", "A", port).answer, what="the zone")
        assert [rdata.address for rrset in query("octo.example.", "A", port).answer for rdata in rrset] == [
            "192.0.2.1"
        ]
        weighted = {
            rdata.address for rrset in query("weighted.octo.example.", "A", port).answer for rdata in rrset
        }
        assert weighted <= {"192.0.2.10", "192.0.2.11"} and weighted
        geo = {rdata.address for rrset in query("geo.octo.example.", "A", port).answer for rdata in rrset}
        assert geo <= {"192.0.2.20", "192.0.2.21"} and geo
