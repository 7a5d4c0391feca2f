"""GET /health (no token: for load balancers and wait-until-up loops) and GET /status."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from agent.server.deps import AUTH_RESPONSES, ReadToken, StoreDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    store_version: int


class Status(BaseModel):
    store_version: int
    last_seq: int
    tables: dict[str, int]
    batches: int
    rejected: int


@router.get("/health", response_model=Health, summary="Is the server up?")
def health(store: StoreDep) -> Health:
    """Answers 200 while the server can read its store; needs no token."""
    store.conn.execute("SELECT 1").fetchone()
    return Health(status="ok", store_version=store.version)


@router.get("/status", response_model=Status, responses=AUTH_RESPONSES,
            summary="Row counts and the change-log position")
def status(store: StoreDep, token: ReadToken) -> Status:
    state = store.status(recent=0)
    return Status(store_version=state.version, last_seq=state.last_seq, tables=state.tables,
                  batches=state.batches, rejected=state.rejected)
