import uuid

from catalog.adapters.page_cache import PageCache

TENANT = uuid.uuid4()


def test_a_page_is_served_only_under_the_version_it_was_stored_with():
    cache = PageCache(1_000)
    cache.put((TENANT, "products", "q"), 3, b"page")
    assert cache.get((TENANT, "products", "q"), 3) == b"page"
    assert cache.get((TENANT, "products", "q"), 4) is None
    assert cache.get((TENANT, "customers", "q"), 3) is None


def test_the_least_recently_used_pages_leave_first_when_the_budget_is_spent():
    cache = PageCache(1_000)
    for name in ("a", "b", "c"):
        cache.put((TENANT, "products", name), 1, b"x" * 240)
    assert cache.get((TENANT, "products", "a"), 1) is not None
    cache.put((TENANT, "products", "d"), 1, b"x" * 240)
    cache.put((TENANT, "products", "e"), 1, b"x" * 240)
    assert cache.size <= 1_000 and len(cache) == 4
    assert cache.get((TENANT, "products", "b"), 1) is None
    assert cache.get((TENANT, "products", "a"), 1) is not None


def test_a_replaced_page_counts_once_and_a_huge_page_is_not_kept():
    cache = PageCache(1_000)
    cache.put((TENANT, "products", "a"), 1, b"x" * 100)
    cache.put((TENANT, "products", "a"), 2, b"x" * 100)
    assert (cache.size, len(cache)) == (100, 1)
    cache.put((TENANT, "products", "big"), 1, b"x" * 400)
    assert cache.get((TENANT, "products", "big"), 1) is None
    assert not PageCache(0).enabled
