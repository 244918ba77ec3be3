import random

from scipix_search.ingest.pdf._overprints import close_groups


def _pairs(items: list[tuple[int, float, float, float]], factor: float, distinct: bool) -> set[int]:
    """Groups with two items at most ``factor`` times their reach apart (brute force)."""
    out = set()
    for i, (g, x, y, r) in enumerate(items):
        for h, u, v, _ in items[:i]:
            d = max(abs(x - u), abs(y - v))
            if h == g and d <= factor * r and (d > 0 or not distinct):
                out.add(g)
    return out


def test_close_groups_finds_every_near_pair_and_no_far_one() -> None:
    rng = random.Random(7)
    for distinct in (False, True):
        for _ in range(200):
            reach = {g: rng.choice([0.0, 0.4, 0.8, 1.6]) for g in range(6)}
            items = []
            for _ in range(rng.randint(0, 30)):
                g = rng.randrange(6)
                x, y = rng.uniform(0, 60), rng.uniform(0, 60)
                if items and rng.random() < 0.3:  # a copy at, or near, an earlier item
                    h, u, v, _ = rng.choice(items)
                    g, x, y = h, u + rng.choice([0, reach[h], -reach[h]]), v
                items.append((g, x, y, reach[g]))
            found = close_groups(
                [i[0] for i in items],
                [i[1] for i in items],
                [i[2] for i in items],
                [i[3] for i in items],
                distinct=distinct,
            )
            assert _pairs(items, 1.0, distinct) <= found <= _pairs(items, 2.01, distinct)
