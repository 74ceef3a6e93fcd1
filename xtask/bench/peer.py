"""Lists an organization's payments with HelloAsso's official Python SDK.

Run by `cargo xtask bench` against helloasso-fake; prints one JSON line with
the items read, the wall time, this process's CPU time (user + system) and
its context switches over the listing loop.
usage: peer.py MODE URL CLIENT_ID CLIENT_SECRET ORG LIMIT

MODE is `typed` (each page read into the SDK's own models, which is what its
users get) or `raw` (the undecoded answer parsed with `json.loads`, the least
that SDK can do).
"""
import json
import resource
import sys
import time
import urllib.parse
import urllib.request

from helloasso_python.api.paiements_api import PaiementsApi
from helloasso_python.api_client import ApiClient
from helloasso_python.configuration import Configuration
from helloasso_python.models.results_with_pagination_model_payment import (
    ResultsWithPaginationModelPayment,
)

mode, url, client_id, client_secret, org, limit = sys.argv[1:7]
limit = int(limit)
if mode not in ("typed", "raw"):
    sys.exit(f"unknown mode {mode}")

form = urllib.parse.urlencode(
    {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
).encode()
with urllib.request.urlopen(url + "/oauth2/token", data=form) as answer:
    token = json.load(answer)["access_token"]


def switches():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_nvcsw + usage.ru_nivcsw


api = PaiementsApi(ApiClient(Configuration(host=url + "/v5", access_token=token)))
started, cpu_started, switches_started = time.perf_counter(), time.process_time(), switches()
count, continuation, checksum = 0, None, 0
while count < limit:
    # In 1.0.8 the typed method returns None for this endpoint (its spec lists
    # CSV and XLSX beside JSON), so its users read the undecoded answer and
    # hand it to the SDK's page model themselves.
    answer = api.organizations_organization_slug_payments_get_without_preload_content(
        org, page_size=100, continuation_token=continuation
    )
    if mode == "typed":
        page = ResultsWithPaginationModelPayment.from_json(answer.data)
        data = page.data or []
        checksum += sum(p.amount or 0 for p in data)
        continuation = page.pagination.continuation_token if page.pagination else None
    else:
        page = json.loads(answer.data)
        data = page.get("data") or []
        checksum += sum(p.get("amount") or 0 for p in data)
        continuation = (page.get("pagination") or {}).get("continuationToken")
    if not data:
        break
    count += len(data)
    if not continuation:
        break
print(
    json.dumps(
        {
            "items": count,
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started,
            "context_switches": switches() - switches_started,
            "checksum": checksum,
        }
    )
)
