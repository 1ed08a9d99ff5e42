"""What every operation declares besides its own statuses, worked out from the route itself so
that no route can forget it: the error answers any route of its kind can give (401 with a
token, 403 behind a role check, 413 with a body, 422 with any input, 503 with the database,
500 always), the headers of its success answer, and the role and token scope it needs.

Every router of the API is an `APIRouter(route_class=ApiRoute)`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.params import Depends as params_Depends
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from starlette.routing import compile_path

from tiendo.errors import REPLAYED, REQUEST_ID
from tiendo.errors import responses as error_responses


@dataclass
class _Needs:
    security: bool = False
    role_check: bool = False
    params: bool = False
    body: bool = False
    session: bool = False
    idempotent: bool = False
    actions: list[Any] = field(default_factory=list)


def _needs(dependant: Dependant) -> _Needs:
    from tiendo.cycle.idempotency import idempotency
    from tiendo.db import get_session

    found, todo = _Needs(), [dependant]
    while todo:
        d = todo.pop()
        call: Callable[..., Any] | None = d.call
        found.security |= isinstance(call, SecurityBase)
        found.params |= bool(d.path_params or d.query_params or d.header_params or d.cookie_params)
        found.body |= bool(d.body_params)
        found.session |= call is get_session
        found.idempotent |= call is idempotency
        actions = getattr(call, "required_actions", ())
        found.actions.extend(actions)
        found.role_check |= bool(actions) or getattr(call, "users_only", False)
        todo.extend(d.dependencies)
    return found


def _session_param(dependant: Dependant) -> str | None:
    """The name of the route's own parameter that receives the request's session, if any."""
    from tiendo.db import get_session

    return next((d.name for d in dependant.dependencies if d.call is get_session), None)


def _sessions_in(dependant: Dependant) -> int:
    """How many times the dependency tree asks for the request's session."""
    from tiendo.db import get_session

    return (dependant.call is get_session) + sum(_sessions_in(d) for d in dependant.dependencies)


def _in_one_hop(endpoint: Callable[..., Any], session_param: str,
                path: str) -> Callable[..., Any]:
    """A `def` route with a session, run in ONE hop to the thread pool: its caller looked up
    (the role check a `require(...)` parameter asks for, with the route's own session), then
    the route, then the commit. FastAPI would otherwise run the look-up in a hop of its own
    before, and the commit in another after (tiendo.db.commit_in_route). Each parameter
    declared with a `require(...)` dependency is given that dependency's `deferred` twin
    (the token read, no database) in the signature FastAPI reads, and receives the resolved
    Principal when the route runs: the route's code and the checks are the same. Only their
    order moves: a missing or unreadable token is still refused (401) before anything else,
    but the request's own validation (422) now comes before the database's verdict (401 for a
    revoked session or token, 403 for a missing role), which tells such a caller nothing the
    published schema does not. When the route's parameter is then the only use of the session
    in its dependencies, that parameter gets `open_session`: the route ends the transaction
    itself, so no generator dependency is needed to end it."""
    from tiendo.db import commit_in_route, open_session

    signature = inspect.signature(endpoint, eval_str=True)
    pending: list[str] = []
    params = []
    for param in signature.parameters.values():
        dependency = _dependency_of(param.annotation)
        if getattr(dependency, "deferred", None) is not None:
            pending.append(param.name)
            param = param.replace(annotation=Annotated[Any, Depends(dependency.deferred)])
        params.append(param)
    as_fastapi_reads = signature.replace(parameters=params)

    def as_read(**kwargs: Any) -> None:  # noqa: ANN401 - the signature FastAPI will read
        pass

    as_read.__signature__ = as_fastapi_reads  # type: ignore[attr-defined]
    if _sessions_in(get_dependant(path=path, call=as_read)) == 1:
        params = [p.replace(annotation=Annotated[Any, Depends(open_session)])
                  if p.name == session_param else p for p in params]

    @functools.wraps(endpoint)
    def route(**kwargs: Any) -> Any:  # noqa: ANN401
        session = kwargs[session_param]
        for name in pending:
            kwargs[name] = kwargs[name].resolve(session)
        return endpoint(**kwargs)

    route.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return commit_in_route(route, session_param)


def _dependency_of(annotation: Any) -> Any:  # noqa: ANN401
    """The callable of an `Annotated[…, Depends(callable)]` annotation, else None."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, params_Depends):
            return meta.dependency
    return None


def _required(actions: list[Any]) -> dict[str, Any]:
    """`x-required-role` (log-ins) and `x-required-scopes` (integration tokens; absent where no
    token is ever accepted, e.g. administration)."""
    from tiendo.auth.models import ROLE_RANK
    from tiendo.auth.principal import ACTION_ROLE, ACTION_SCOPE

    if not actions:
        return {}
    extra: dict[str, Any] = {"x-required-role": max(
        (ACTION_ROLE[a] for a in actions), key=ROLE_RANK.__getitem__).value}
    scopes = sorted({ACTION_SCOPE[a] for a in actions if a in ACTION_SCOPE})
    if scopes and all(a in ACTION_SCOPE for a in actions):
        extra["x-required-scopes"] = scopes
    return extra


class ApiRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], *,
                 responses: dict[int | str, dict[str, Any]] | None = None,
                 status_code: int | None = None, openapi_extra: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:  # noqa: ANN401
        # Read from the endpoint's own signature (`dependencies=` lists are not used here).
        dependant = get_dependant(path=compile_path(path)[1], call=endpoint)
        found = _needs(dependant)
        session_param = _session_param(dependant)
        if session_param and not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_one_hop(endpoint, session_param, compile_path(path)[1])
        statuses = [500]
        statuses += [401] if found.security else []
        statuses += [403] if found.role_check else []
        statuses += [413] if found.body else []
        statuses += [422] if found.params or found.body else []
        statuses += [503] if found.session else []
        declared = {**error_responses(*statuses), **(responses or {})}
        ok = status_code or 200
        success = dict(declared.get(ok, {}))
        success["headers"] = {**REQUEST_ID, **(REPLAYED if found.idempotent else {}),
                              **success.get("headers", {})}
        declared[ok] = success
        for status, answer in declared.items():  # every answer carries X-Request-ID
            if "X-Request-ID" not in answer.get("headers", {}):
                declared[status] = {**answer, "headers": {**REQUEST_ID,
                                                          **answer.get("headers", {})}}
        declared = dict(sorted(declared.items(), key=lambda item: str(item[0])))
        extra = {**_required(found.actions), **(openapi_extra or {})}
        super().__init__(path, endpoint, responses=declared, status_code=status_code,
                         openapi_extra=extra or None, **kwargs)

