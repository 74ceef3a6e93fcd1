"""Lists an organization's payments with HelloAsso's official Python SDK.

Run by `cargo xtask bench` against helloasso-fake; prints one JSON line.
usage: peer.py URL CLIENT_ID CLIENT_SECRET ORG LIMIT
"""
import json
import sys
import time
import urllib.parse
import urllib.request

from helloasso_python.api.paiements_api import PaiementsApi
from helloasso_python.api_client import ApiClient
from helloasso_python.configuration import Configuration

url, client_id, client_secret, org, limit = sys.argv[1:6]
limit = int(limit)

form = urllib.parse.urlencode(
    {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
).encode()
with urllib.request.urlopen(url + "/oauth2/token", data=form) as answer:
    token = json.load(answer)["access_token"]

api = PaiementsApi(ApiClient(Configuration(host=url + "/v5", access_token=token)))
started = time.perf_counter()
count, continuation = 0, None
while count < limit:
    # In 1.0.8 the typed method returns None for this endpoint (its spec lists
    # CSV and XLSX beside JSON), so the raw answer is read and parsed here,
    # as a user of that SDK has to.
    answer = api.organizations_organization_slug_payments_get_without_preload_content(
        org, page_size=100, continuation_token=continuation
    )
    page = json.loads(answer.data)
    data = page.get("data") or []
    if not data:
        break
    count += len(data)
    continuation = (page.get("pagination") or {}).get("continuationToken")
    if not continuation:
        break
print(json.dumps({"items": count, "seconds": time.perf_counter() - started}))
