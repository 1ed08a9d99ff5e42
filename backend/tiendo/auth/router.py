from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from tiendo.auth import login as login_service
from tiendo.auth import service
from tiendo.auth.deps import Admin, CurrentUser, UserPrincipal, client_address
from tiendo.auth.schemas import (
    ApiTokenCreated,
    ApiTokenPublic,
    PasswordChange,
    PasswordReset,
    RolesReplace,
    TokenCreate,
    TokenResponse,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.db import SessionDep
from tiendo.errors import Invalid, error_response, responses

router = APIRouter(route_class=ApiRoute)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/auth/token", name="auth-token", tags=["auth"],
             summary="Đăng nhập (OAuth2 password) → access token",
             responses=responses(401, 422, 429))
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request,
          session: SessionDep, now: NowDep) -> TokenResponse:
    if len(form.username) > 64 or len(form.password) > 128:
        raise Invalid("Tên đăng nhập hoặc mật khẩu quá dài.", field="username")
    try:
        token, ttl = login_service.login(session, form.username, form.password,
                                         client_address(request), now)
    except login_service.FailedAttempt as failed:
        return error_response(failed.error)  # returned, so that the failure record commits
    return TokenResponse(access_token=token, expires_in=ttl)


@router.get("/auth/me", name="auth-me", tags=["auth"], summary="Người đang đăng nhập",
            responses=responses(401, 403))
def me(user: CurrentUser, session: SessionDep) -> UserPublic:
    return service.user_public(session, [user])[0]


@router.post("/auth/password", name="auth-password", tags=["auth"], status_code=204,
             summary="Đổi mật khẩu (mọi phiên cũ hết hiệu lực)",
             responses=responses(401, 403, 422, 429))
def change_password(data: PasswordChange, user: CurrentUser, principal: UserPrincipal,
                    session: SessionDep, now: NowDep) -> Response:
    try:
        login_service.change_password(session, principal, user, data, now)
    except login_service.FailedAttempt as failed:
        return error_response(failed.error)
    return Response(status_code=204)


@router.get("/users", name="users-list", tags=["users"],
            summary="Người dùng trong phạm vi quản trị",
            responses=responses(401, 403))
def list_users(session: SessionDep, principal: Admin, page: PageDep,
               q: Annotated[str | None, Query(max_length=64)] = None) -> Page[UserPublic]:
    rows, total = service.list_users(session, principal, q, page.limit, page.offset)
    return Page(data=service.user_public(session, rows, principal), count=total, limit=page.limit,
                offset=page.offset)


@router.post("/users", name="users-create", tags=["users"], status_code=201,
             summary="Tạo người dùng với vai trò trong phạm vi của mình",
             responses=responses(401, 403, 404, 409, 422))
def create_user(data: UserCreate, session: SessionDep, principal: Admin,
                now: NowDep) -> UserPublic:
    user = service.create_user(session, principal, data, now)
    return service.user_public(session, [user], principal)[0]


@router.get("/users/{user_id}", name="users-read", tags=["users"], summary="Xem người dùng",
            responses=responses(401, 403, 404))
def read_user(user_id: UserId, session: SessionDep, principal: Admin) -> UserPublic:
    return service.user_public(session, [service.get_user(session, principal, user_id)],
                               principal)[0]


@router.patch("/users/{user_id}", name="users-update", tags=["users"],
              summary="Sửa hoặc khoá người dùng", responses=responses(401, 403, 404, 422))
def update_user(user_id: UserId, data: UserUpdate, session: SessionDep, principal: Admin,
                now: NowDep) -> UserPublic:
    user = service.update_user(session, principal, user_id, data, now)
    return service.user_public(session, [user], principal)[0]


@router.put("/users/{user_id}/roles", name="users-roles", tags=["users"],
            summary="Thay toàn bộ vai trò của người dùng",
            responses=responses(401, 403, 404, 422))
def replace_roles(user_id: UserId, data: RolesReplace, session: SessionDep, principal: Admin,
                  now: NowDep) -> UserPublic:
    user = service.replace_roles(session, principal, user_id, data.roles, now)
    return service.user_public(session, [user], principal)[0]


@router.post("/users/{user_id}/password", name="users-password-reset", tags=["users"],
             status_code=204, summary="Đặt lại mật khẩu người dùng",
             responses=responses(401, 403, 404, 422))
def reset_password(user_id: UserId, data: PasswordReset, session: SessionDep, principal: Admin,
                   now: NowDep) -> Response:
    service.reset_password(session, principal, user_id, data, now)
    return Response(status_code=204)


@router.get("/tokens", name="tokens-list", tags=["tokens"], summary="Token tích hợp",
            responses=responses(401, 403))
def list_tokens(session: SessionDep, principal: Admin, page: PageDep) -> Page[ApiTokenPublic]:
    return Page.of(service.list_tokens(session, principal), page)


@router.post("/tokens", name="tokens-create", tags=["tokens"], status_code=201,
             summary="Tạo token tích hợp (bí mật chỉ hiện một lần)",
             responses=responses(401, 403, 404, 422))
def create_token(data: TokenCreate, session: SessionDep, principal: Admin,
                 now: NowDep) -> ApiTokenCreated:
    return service.create_token(session, principal, data, now)


@router.post("/tokens/{token_id}/revoke", name="tokens-revoke", tags=["tokens"],
             summary="Thu hồi token", responses=responses(401, 403, 404))
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep,
                 principal: Admin, now: NowDep) -> ApiTokenPublic:
    return service.revoke_token(session, principal, token_id, now)
