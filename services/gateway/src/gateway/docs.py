"""`/api-docs`: Swagger UI over the merged `/openapi.json`, from assets shipped in a Python package
(fastapi-offline), so it works without internet access. No inline script: the page passes a strict CSP.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SalesSync API</title>
<link rel="icon" href="/api-docs/static/favicon.png">
<link rel="stylesheet" href="/api-docs/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api-docs/static/swagger-ui-bundle.js"></script>
<script src="/api-docs/init.js"></script>
</body>
</html>
"""

INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
"""


async def page(_: object) -> Response:
    return HTMLResponse(PAGE)


async def init_script(_: object) -> Response:
    return Response(INIT, media_type="text/javascript")


def docs_routes() -> list[BaseRoute]:
    return [
        Route("/api-docs", page, methods=["GET"], include_in_schema=False),
        Route("/api-docs/init.js", init_script, methods=["GET"], include_in_schema=False),
        Mount("/api-docs/static", app=StaticFiles(directory=ASSETS), name="api-docs-static"),
    ]
