from accueil.lib.cache import TTLCache


def test_a_value_is_kept_for_its_time_then_computed_again(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("accueil.lib.cache.time.monotonic", lambda: clock[0])
    cache: TTLCache[int] = TTLCache(seconds=30)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get("office", compute) == 1
    clock[0] += 29
    assert cache.get("office", compute) == 1
    clock[0] += 2
    assert cache.get("office", compute) == 2
    cache.forget("office")
    assert cache.get("office", compute) == 3


def test_the_cache_never_grows_past_its_size():
    cache: TTLCache[int] = TTLCache(seconds=30, size=3)
    for key in range(10):
        cache.get(key, lambda key=key: key)
    assert len(cache._entries) <= 3
