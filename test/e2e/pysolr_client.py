# Runs searches through the real pysolr client and prints what it got, as JSON, for the Node e2e test to
# check against SQL. Usage: pysolr_client.py BASE_URL < requests.json
# Each request: {"name", "q", "params": {...}, "cursor": bool}; cursor requests page with cursorMark to the end.
import json
import sys

import pysolr
import requests


def run(solr, req):
    params = dict(req.get("params", {}))
    if req.get("cursor"):
        docs, mark, pages = [], "*", 0
        while True:
            res = solr.search(req["q"], cursorMark=mark, **params)
            docs.extend(res.docs)
            pages += 1
            if res.nextCursorMark == mark or pages > 1000:
                break
            mark = res.nextCursorMark
        return {"hits": res.hits, "docs": docs, "pages": pages}
    res = solr.search(req["q"], **params)
    return {"hits": res.hits, "docs": res.docs, "facets": res.facets, "highlighting": res.highlighting, "qtime": res.qtime}


def main():
    solr = pysolr.Solr(sys.argv[1], timeout=30)
    # This pysolr version has no ping(); ask the endpoint through requests, as pysolr's own session would.
    ping = requests.get(sys.argv[1] + "/admin/ping/", params={"wt": "json"}, timeout=30).json()
    out = {"ping": ping.get("status") == "OK"}
    for req in json.load(sys.stdin):
        try:
            out[req["name"]] = run(solr, req)
        except pysolr.SolrError as e:
            out[req["name"]] = {"error": str(e)}
    json.dump(out, sys.stdout)


main()
