"""API tokens over HTTP (admin scope): POST /tokens, GET /tokens, DELETE /tokens/{name}.

The first admin token comes from the command line (`xlerp token create --scope admin`),
which works on the store file directly.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from agent.server import auth
from agent.server.deps import AUTH_RESPONSES, AdminToken, StoreDep

router = APIRouter(tags=["tokens"])


class TokenIn(BaseModel):
    name: str = Field(description="Who uses it, e.g. warehouse-pc")
    scope: Literal["read", "push", "admin"]


class TokenOut(BaseModel):
    name: str
    scope: str
    created_at: str
    revoked_at: str | None = None


class NewToken(TokenOut):
    token: str = Field(description="The secret; shown this once and never again")


@router.post("/tokens", status_code=201, response_model=NewToken,
             responses={400: {"description": "Bad name, or a live token has it"},
                        **AUTH_RESPONSES}, summary="Issue a token")
def create(body: TokenIn, request: Request, token: AdminToken) -> NewToken:
    pool = request.app.state.pool
    with pool.writer:
        record, secret = auth.create_token(pool.get(), body.name, body.scope)
    return NewToken(name=record.name, scope=record.scope, created_at=record.created_at,
                    token=secret)


@router.get("/tokens", response_model=list[TokenOut], responses=AUTH_RESPONSES,
            summary="Every token issued (never the secrets)")
def tokens(store: StoreDep, token: AdminToken) -> list[TokenOut]:
    return [TokenOut(name=t.name, scope=t.scope, created_at=t.created_at,
                     revoked_at=t.revoked_at) for t in auth.list_tokens(store)]


@router.delete("/tokens/{name}", response_model=TokenOut,
               responses={400: {"description": "No live token of that name"},
                          **AUTH_RESPONSES}, summary="Revoke a token at once")
def revoke(name: str, request: Request, token: AdminToken) -> TokenOut:
    pool = request.app.state.pool
    with pool.writer:
        record = auth.revoke_token(pool.get(), name)
    return TokenOut(name=record.name, scope=record.scope, created_at=record.created_at,
                    revoked_at=record.revoked_at)
