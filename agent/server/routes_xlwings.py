"""The Excel ribbon's backend: the xlwings wire format, the add-in's manifest and pages.

* ``POST /xlwings/{command}`` — a workbook's sheets in, actions that write the results
  out (`addin.officejs`); needs a token of scope "read" (running a command changes no
  store data). Whatever the user can fix comes back as an alert action, not an error.
* ``GET /xlwings/commands`` — each command's tables and the sheet names that hold them,
  so the ribbon's JavaScript never spells a table name.
* ``GET /addin/manifest.xml`` — the manifest with this server's URL filled in;
  ``GET /addin/<file>`` — the function file, task pane, dialog and icons
  (templates/addin/). No token: Excel loads them before anyone can type one.

`install(app)` adds the routes and CORS limited to Office's own origins.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from addin import commands, officejs
from agent.server.deps import AUTH_RESPONSES, require

log = logging.getLogger(__name__)

ADDIN = Path(__file__).resolve().parents[2] / "templates" / "addin"
# The manifest in templates/ points at a developer's own machine; served, it points here.
DEV_URL = "https://localhost:8765"
_STATIC = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
           ".css": "text/css; charset=utf-8", ".png": "image/png"}
# Excel on the web and Office's hosted pages; an add-in served from this server is
# same-origin and needs no CORS at all.
OFFICE_ORIGINS = (r"https://([a-z0-9-]+\.)*(office\.com|office365\.com|office\.net"
                  r"|officeapps\.live\.com|microsoft\.com|sharepoint\.com)")

router = APIRouter(tags=["excel"])


@router.get("/xlwings/commands", summary="The commands the ribbon can run")
def list_commands() -> dict[str, Any]:
    return officejs.describe_commands()


@router.post("/xlwings/{command}", responses=AUTH_RESPONSES,
             dependencies=[Depends(require("read"))],
             summary="Run a command on a workbook sent in the xlwings wire format")
async def run_command(command: str, request: Request) -> JSONResponse:
    if command not in {c.name for c in commands.all_commands()}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no command {command!r}")
    started = time.perf_counter()
    body = await request.body()
    try:
        payload = json.loads(body)
    except ValueError as error:  # not a workbook at all: a client bug, not the user's
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            f"the request body is not JSON: {error}") from None
    # parsing, the command and the actions are CPU work: keep the event loop free
    answer = await run_in_threadpool(_answer, command, payload, dict(request.query_params))
    # Server-Timing: what the server spent (body, parse, command, actions, JSON), so a
    # slow button can be told apart from a slow network.
    milliseconds = (time.perf_counter() - started) * 1000
    answer.headers["Server-Timing"] = f"xlerp;dur={milliseconds:.0f}"
    return answer


def _answer(command: str, payload: object, query: dict[str, str]) -> JSONResponse:
    return JSONResponse(officejs.handle(command, payload, query))


# The add-in's files are files, not API: they stay out of the OpenAPI document.
@router.get("/addin/manifest.xml", include_in_schema=False)
def manifest(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    text = (ADDIN / "manifest.xml").read_text(encoding="utf-8").replace(DEV_URL, base)
    return Response(text, media_type="application/xml")


@router.get("/addin/{path:path}", include_in_schema=False)
def static_file(path: str) -> FileResponse:
    file = (ADDIN / path).resolve()
    kind = _STATIC.get(file.suffix.lower())
    if kind is None or not file.is_relative_to(ADDIN) or not file.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no add-in file {path!r}")
    return FileResponse(file, media_type=kind, headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    """Add the ribbon's routes to `app`, with CORS for Office's origins only."""
    app.include_router(router)
    app.add_middleware(CORSMiddleware, allow_origin_regex=OFFICE_ORIGINS,
                       allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"])


__all__ = ["ADDIN", "DEV_URL", "OFFICE_ORIGINS", "install", "router"]
