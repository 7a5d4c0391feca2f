"""GET /changes?since=N — the change log after sequence N, oldest first.

A client keeps the last `seq` it processed and asks again with it; with SQLite's single
writer, sequence numbers become visible in order, so no change is ever skipped.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from agent.server.deps import AUTH_RESPONSES, ReadToken, StoreDep

router = APIRouter(tags=["changes"])


class ChangeOut(BaseModel):
    seq: int
    table: str
    key: dict[str, Any]
    op: str = Field(description="insert, update or delete")
    old: dict[str, Any] | None = Field(description="Changed columns before (all on delete)")
    new: dict[str, Any] | None = Field(description="Changed columns after (all on insert)")
    batch: int


class ChangesPage(BaseModel):
    changes: list[ChangeOut]
    next_since: int = Field(description="Pass as ?since= for the next page")
    more: bool = Field(description="True when the page was full: ask again at once")


@router.get("/changes", response_model=ChangesPage, responses=AUTH_RESPONSES,
            summary="Changes after sequence number `since`")
def changes(request: Request, store: StoreDep, token: ReadToken,
            since: Annotated[int, Query(ge=0)] = 0,
            limit: Annotated[int | None, Query(ge=1)] = None) -> JSONResponse:
    settings = request.app.state.settings
    limit = min(limit or settings.page_limit, settings.max_page_limit)
    found = store.changes_since(since, limit)
    records = [{"seq": c.seq, "table": c.table, "key": c.key, "op": c.op, "old": c.old,
                "new": c.new, "batch": c.batch} for c in found]
    body = {"changes": records, "next_since": found[-1].seq if found else since,
            "more": len(found) == limit}
    # Returned as-is rather than through the model: 10k changes per page stay cheap.
    return JSONResponse(body)
