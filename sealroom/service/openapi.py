"""Print the vault API's OpenAPI document: ``python -m sealroom.service.openapi > docs/openapi.json``."""

from __future__ import annotations

import json

from sealroom.service.app import create_app


def openapi_json() -> str:
    return json.dumps(create_app(None).openapi(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(openapi_json(), end="")
