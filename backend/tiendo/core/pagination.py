"""Page types and limit/offset parameters shared by list endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `count` is the number of rows matching the filters, over all pages."""

    data: list[T]
    count: int
    limit: int
    offset: int

    @classmethod
    def of(cls, rows: Sequence[T], page: PageParams) -> Page[T]:
        """A page cut from a list that is short by nature (a campaign's targets, a report's
        versions, one admin's tokens): all of it is read, the page is sliced here."""
        return cls(data=list(rows[page.offset:page.offset + page.limit]), count=len(rows),
                   limit=page.limit, offset=page.offset)


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(  # async: no thread hop
    limit: Annotated[int, Query(ge=1, le=500, description="Số dòng mỗi trang")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]
