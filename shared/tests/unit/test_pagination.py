"""`limit_offset` writes a page's LIMIT and OFFSET into SQL: plain non-negative ints only."""

from __future__ import annotations

from typing import Any

import pytest

from salessync.pagination import PageParams, limit_offset, page_of


def test_a_page_becomes_its_limit_and_offset() -> None:
    params = PageParams(page=3, limit=50)
    assert limit_offset(params.limit, params.offset) == "LIMIT 50 OFFSET 100"
    assert limit_offset(20, 0) == "LIMIT 20 OFFSET 0"


@pytest.mark.parametrize("limit, offset", [(-1, 0), (10, -5), ("50", 0), (50, "0; DROP TABLE x"), (True, 0), (1.5, 0)])
def test_anything_but_non_negative_ints_is_refused(limit: Any, offset: Any) -> None:
    with pytest.raises(ValueError):
        limit_offset(limit, offset)


def test_the_answer_counts_pages() -> None:
    assert page_of([], PageParams(page=1, limit=20), 0)["pages"] == 0
    assert page_of([1], PageParams(page=1, limit=20), 41)["pages"] == 3
