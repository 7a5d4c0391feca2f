"""Canonical rows: upload a batch (idempotent), read a table page by page, list values.

POST /tables/{table}/batches   push scope; body = `agent.wire` columns + provenance,
                               header Idempotency-Key = the batch's content hash
GET  /tables/{table}/rows      read scope; ?limit=&cursor=&<column>=<value>…
GET  /tables/{table}/columns/{column}/values   read scope; distinct stored values
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from addin.schema import INPUT_TABLES
from agent import wire
from agent.batch import BatchResult, Provenance
from agent.migrations import PROVENANCE
from agent.server import storeapi
from agent.server.deps import AUTH_RESPONSES, PushToken, ReadToken, StoreDep
from agent.store import iso_utc

router = APIRouter(tags=["rows"])

KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{8,128}$"
RESERVED = {"limit", "cursor"}


class UploadMeta(BaseModel):
    """Where a batch comes from (see agent.batch.Provenance)."""

    platform: str = Field(min_length=1, max_length=100, description="Source platform")
    file: str = Field(default="", max_length=1000, description="Source file name")
    as_of: str = Field(description="Export time of the source file, ISO 8601")
    profile: str = Field(default="", max_length=200)
    snapshot: bool = Field(default=False, description="The file lists every row the "
                           "platform has: its older rows missing from it are deleted")


class UploadBody(UploadMeta):
    columns: dict[str, list[Any]] = Field(description="Column name -> values, one list "
                                          "per canonical column (and optional _row)")


class BatchOut(BaseModel):
    table: str
    batch: int
    rows: int
    inserted: int
    updated: int
    unchanged: int
    stale: int
    deleted: int
    first_seq: int | None
    last_seq: int | None
    duplicate: bool


class RowsPage(BaseModel):
    table: str
    count: int
    columns: dict[str, list[Any]]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; "
                                    "null on the last page")


_UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": BatchOut, "description": "Loaded before under this key: nothing changed"},
    400: {"description": "The body is not JSON"},
    404: {"description": "No such table"},
    413: {"description": "The body is larger than the server's limit"},
    422: {"description": "Bad values (listed as issues), or the key was used with "
                         "another body"},
    503: {"description": "The store stayed busy; retry after Retry-After seconds"},
    **AUTH_RESPONSES,
}


@router.post(
    "/tables/{table}/batches", status_code=201, response_model=BatchOut,
    responses=_UPLOAD_RESPONSES, summary="Upload a batch of canonical rows (idempotent)",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": UploadBody.model_json_schema()}}}})
async def upload(table: str, request: Request, token: PushToken,
                 idempotency_key: Annotated[str, Header(alias="Idempotency-Key",
                                                        pattern=KEY_PATTERN)]) -> JSONResponse:
    """Load the rows into `table` in one transaction. A repeat of a key already loaded is
    answered 200 with the first load's figures and changes nothing."""
    storeapi.input_table(table)  # 404 before reading a large body
    body = await request.body()
    result = await run_in_threadpool(_load, request, table, body, idempotency_key)
    return JSONResponse(_batch_json(result), status_code=200 if result.duplicate else 201)


def _load(request: Request, table: str, body: bytes, key: str) -> BatchResult:
    state = request.app.state
    spec = storeapi.input_table(table)
    digest = hashlib.sha256(body).hexdigest()
    replay = storeapi.replay(state.pool.get(), key, digest)
    if replay is not None:  # a retry: skip decoding the rows again
        return replay
    meta, columns = parse_upload(body)
    frame, issues = wire.decode_columns(spec, columns)
    if frame is None:
        limit = state.settings.max_issues
        raise HTTPException(422, {"message": f"{len(issues)} problem(s) in the batch — "
                                  "nothing was loaded", "count": len(issues),
                                  "issues": wire.issue_records(issues, limit)})
    provenance = Provenance(meta.platform, meta.file, key, _as_of(meta.as_of), meta.profile,
                            meta.snapshot)
    with state.pool.writer:
        return storeapi.upload_batch(state.pool.get(), table, frame, provenance, digest)


def parse_upload(body: bytes) -> tuple[UploadMeta, dict[str, list[Any]]]:
    """The provenance and columns of an upload body (400 / 422 when malformed).

    Only the small provenance part goes through pydantic; the columns are checked for
    shape here and typed by `agent.wire`, which is much faster on 10k-row batches.
    """
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise HTTPException(400, f"the body is not valid JSON: {error}") from error
    if not isinstance(payload, dict):
        raise HTTPException(422, "the body must be a JSON object")
    columns = payload.pop("columns", None)
    if not isinstance(columns, dict) or not all(isinstance(v, list) for v in columns.values()):
        raise HTTPException(422, '"columns" must be an object of lists: {"column": [values]}')
    try:
        meta = UploadMeta.model_validate(payload)
    except ValidationError as error:
        raise HTTPException(422, error.errors(include_url=False, include_context=False,
                                              include_input=False)) from error
    return meta, columns


def _as_of(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise HTTPException(422, f"as_of {text!r} is not an ISO 8601 time, e.g. "
                                 "2026-12-01T08:00:00Z") from error
    return iso_utc(moment)


def _batch_json(result: BatchResult) -> dict[str, object]:
    return BatchOut(table=result.table, batch=result.batch, rows=result.rows,
                    inserted=result.inserted, updated=result.updated,
                    unchanged=result.unchanged, stale=result.stale, deleted=result.deleted,
                    first_seq=result.first_seq, last_seq=result.last_seq,
                    duplicate=result.duplicate).model_dump()


@router.get("/tables", summary="The canonical tables and their key columns")
def tables(token: ReadToken) -> dict[str, list[str]]:
    return {name: list(storeapi.input_table(name).key) for name in INPUT_TABLES}


@router.get("/tables/{table}/rows", response_model=RowsPage,
            responses={404: {"description": "No such table"},
                       400: {"description": "Unknown filter column or damaged cursor"},
                       **AUTH_RESPONSES},
            summary="Read a table in key order, one page at a time")
def rows(table: str, request: Request, store: StoreDep, token: ReadToken,
         limit: Annotated[int | None, Query(ge=1)] = None,
         cursor: Annotated[str | None, Query(max_length=4000)] = None) -> JSONResponse:
    """Any other query parameter filters by equality on a canonical or provenance
    column, e.g. `?_platform=shopify&status=open`."""
    settings = request.app.state.settings
    limit = min(limit or settings.page_limit, settings.max_page_limit)
    where = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    page = storeapi.page_rows(store, table, where, cursor, limit)
    spec = storeapi.input_table(table)
    columns = wire.encode_columns(page.frame, spec, extra=PROVENANCE)
    return JSONResponse({"table": table, "count": len(page.frame), "columns": columns,
                         "next_cursor": page.next_cursor})


@router.get("/tables/{table}/columns/{column}/values", responses=AUTH_RESPONSES,
            summary="The distinct stored values of one column")
def values(table: str, column: str, store: StoreDep, token: ReadToken) -> list[Any]:
    return storeapi.column_values(store, table, column)
