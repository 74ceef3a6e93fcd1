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
    page = api.organizations_organization_slug_payments_get(
        org, page_size=100, continuation_token=continuation
    )
    if not page.data:
        break
    count += len(page.data)
    continuation = page.pagination.continuation_token if page.pagination else None
    if not continuation:
        break
print(json.dumps({"items": count, "seconds": time.perf_counter() - started}))
