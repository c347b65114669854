"""How pointers reach the vault: ``VaultPointerSession`` sends operation graphs and reads mocks.

A pointer (``sealroom.client.pointers``) holds an operation graph and this session, never data.
``run_graph`` posts the graph to ``POST /api/v1/graphs`` - one round trip: the vault decides,
evaluates under disclosure control and answers with the released value - and rebuilds the value
the pointer stands for (Series, DataFrame, scalar, histogram, array...). A query the policy sends
to review raises ``QueryInReview`` (its ``request`` can be waited on, ``value()`` reads the result
once a rights holder released it); a refused, failed or withheld one raises ``RequestFailed``
with the public reasons. ``mock_source`` decodes an asset's public mock for ``.mock()``.
"""

from __future__ import annotations

import base64

from sealroom.client.http import VaultHTTP
from sealroom.client.requests import Request, RequestFailed
from sealroom.core.errors import InvalidInput, SealroomError
from sealroom.core.graph.sources import SourceData, decode_source
from sealroom.core.graph.values import decode_json_value, decode_value
from sealroom.core.results import EncodedResult


class QueryInReview(SealroomError):
    """The policy sent a pointer query to the rights holder; ``request`` is its handle."""

    code = "query_in_review"

    def __init__(self, message: str, request: Request) -> None:
        super().__init__(message)
        self.request = request

    def value(self, timeout: float = 600.0):
        """Wait for the review and the run; the released value (``RequestFailed`` if it is not released)."""
        return released_value(self.request.wait(timeout=timeout))


class VaultPointerSession:
    """The pointer session of one connection: mocks (cached) and graph submission."""

    def __init__(self, http: VaultHTTP) -> None:
        self._http = http
        self._mocks: dict[tuple[str, str], SourceData] = {}

    def mock_source(self, dataset: str, asset: str) -> SourceData:
        key = (dataset, asset)
        if key not in self._mocks:
            info = self._http.json("GET", f"/api/v1/datasets/{dataset}")
            kinds = {a["name"]: a["kind"] for a in info["assets"]}
            if asset not in kinds:
                raise InvalidInput(f"{dataset} has no asset {asset!r}; its assets are {sorted(kinds)}")
            payload = self._http.raw("GET", f"/api/v1/datasets/{dataset}/mock", params={"asset": asset}).content
            self._mocks[key] = decode_source(kinds[asset], payload)
        return self._mocks[key]

    def run_graph(self, graph: dict, purpose: str | None):
        purpose = purpose or self._http.default_purpose
        if not purpose:
            raise InvalidInput('say what the query is for: .get(purpose="research: ...") or set ws.purpose = "research: ..."')
        answer = self._http.json("POST", "/api/v1/graphs", json={"graph": graph, "purpose": purpose})
        request = Request(self._http, answer["request"])
        if answer.get("result") is not None:
            return _decode(answer["result"])
        state = answer["request"]["state"]
        if state in ("pending_review", "release_review"):
            raise QueryInReview(f"request {request.id} went to the rights holder for review: {_review_reason(request)}. "
                                f"Wait with err.value() (or ws.requests[{request.id!r}].wait()).", request)
        raise RequestFailed(f"request {request.id} was {state}: {request.reason}")


def released_value(request: Request):
    """The value a released graph request stands for (typed like the pointer's ``.mock()``);
    ``request``'s view must be current (``wait()`` leaves it so)."""
    view = request.view
    if view["state"] != "released":
        raise RequestFailed(f"request {request.id} was {view['state']}: {request.reason}")
    response = request._http.raw("GET", f"/api/v1/requests/{request.id}/result")
    hint = ((view.get("result") or {}).get("report") or {}).get("value")
    return decode_value(EncodedResult(response.headers["X-Sealroom-Result-Kind"], response.content), hint)


def _review_reason(request: Request) -> str:
    """Why it waits: the review findings of the release gate (after the run), or the policy's reasons (before)."""
    view = request.view
    if view["state"] == "release_review":
        findings = ((view.get("result") or {}).get("report") or {}).get("findings") or []
        messages = [f["message"] for f in findings if f.get("severity") == "review"]
        if messages:
            return "; ".join(dict.fromkeys(messages))
    return request.reason


def _decode(result: dict):
    if result["kind"] == "json":  # already parsed with the answer
        return decode_json_value(result["value"], result.get("hint"))
    return decode_value(EncodedResult(result["kind"], base64.b64decode(result["base64"])), result.get("hint"))
