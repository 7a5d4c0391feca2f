"""The import history: GET /batches, GET /batches/{n}, GET /rejected, POST /rejected.

An agent that pushes over the network records the files it rejected here (idempotent
under the same Idempotency-Key), so the central store shows every site's failures.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field

from agent.server import storeapi
from agent.server.deps import AUTH_RESPONSES, PushToken, ReadToken, StoreDep
from agent.server.routes_rows import KEY_PATTERN

router = APIRouter(tags=["batches"])


class RejectionIn(BaseModel):
    file: str = Field(max_length=1000)
    sha256: str = Field(max_length=128)
    profile: str = Field(default="", max_length=200)
    issues: int = Field(ge=0)
    reason: str = Field(max_length=10_000)
    report: str = Field(default="", max_length=1000, description="Path of the error "
                        "report beside the rejected file, on the agent's machine")


class RejectionOut(BaseModel):
    recorded: bool = Field(description="False when this key was recorded before")


_NOT_FOUND = {404: {"description": "No such batch"}, **AUTH_RESPONSES}


@router.get("/batches", responses=AUTH_RESPONSES, summary="Import batches, oldest first")
def batches(store: StoreDep, token: ReadToken, request: Request,
            after: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    """Batches numbered above `after`; page on with the last batch number seen."""
    return storeapi.list_batches(store, after, _limit(request, limit))


@router.get("/batches/{batch}", responses=_NOT_FOUND, summary="One import batch")
def batch(batch: int, store: StoreDep, token: ReadToken) -> dict[str, Any]:
    return storeapi.batch_record(store, batch)


@router.get("/rejected", responses=AUTH_RESPONSES, summary="Rejected files, oldest first")
def rejected(store: StoreDep, token: ReadToken, request: Request,
             after: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    return storeapi.list_rejected(store, after, _limit(request, limit))


@router.post("/rejected", response_model=RejectionOut, responses=AUTH_RESPONSES,
             summary="Record a file an agent rejected (idempotent)")
def record_rejected(body: RejectionIn, request: Request, response: Response,
                    token: PushToken,
                    idempotency_key: Annotated[str, Header(alias="Idempotency-Key",
                                                           pattern=KEY_PATTERN)]
                    ) -> RejectionOut:
    pool = request.app.state.pool
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    with pool.writer:
        recorded = storeapi.upload_rejection(pool.get(), idempotency_key, digest,
                                             storeapi.Rejection(**body.model_dump()))
    response.status_code = 201 if recorded else 200
    return RejectionOut(recorded=recorded)


def _limit(request: Request, limit: int | None) -> int:
    settings = request.app.state.settings
    return max(1, min(limit or settings.page_limit, settings.max_page_limit))
