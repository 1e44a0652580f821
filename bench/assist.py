"""Benchmark of the incident classifier (assist): training time on this machine (target under
2 minutes) and the server time of a suggestion, p50 and p95 (target p95 under 20 ms), measured
through the WSGI application on the frozen test set's texts, against a baseline measured in the
same run: the same endpoint refusing an empty text (JSON parsing and a problem reply, no model).

Runs on SQLite (a temporary database), so it needs no PostgreSQL. Nothing fails on a timing.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import result, setup_django

ROUNDS = 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_posts(bodies: list[dict[str, str]]) -> list[float]:
    from django.test import Client

    client = Client()
    times = []
    for body in bodies:
        started = time.perf_counter()
        client.post("/api/v1/incidents/suggest", json.dumps(body), content_type="application/json")
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        from django.conf import settings
        from django.core.management import call_command

        settings.ALLOWED_HOSTS = ["*"]
        settings.LOKET_API_ANONYMOUS_RATE_LIMIT = (10**9, 60)  # the work, not refusals
        call_command("migrate", verbosity=0)
        from loket.assist.actions import do_train
        from loket.assist.corpus import frozen_examples

        started = time.perf_counter()
        version = do_train()
        whole = time.perf_counter() - started
        print(f"training: {version.training_seconds:.1f} s fitting, {whole:.1f} s with the "
              f"evaluation on the frozen set (target: under 120 s)")  # fmt: skip
        result("assist training", whole, "s", target=120)
        texts = [{"text": e.text} for e in frozen_examples()]
        timed_posts(texts[:20])  # warm: the model is unpickled once per process
        suggest = [t for _ in range(ROUNDS) for t in timed_posts(texts)]
        baseline = [t for _ in range(ROUNDS) for t in timed_posts([{"text": ""}] * len(texts))]
        p95, base95 = percentile(suggest, 0.95), percentile(baseline, 0.95)
        p50 = statistics.median(suggest)
        print(f"suggestion server time over {len(suggest)} requests: "
              f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (target p95 < 20 ms)")  # fmt: skip
        print(f"baseline (same endpoint, empty text refused): p50 "
              f"{statistics.median(baseline):.2f} ms, p95 {base95:.2f} ms; "
              f"ratio p95 {p95 / base95:.1f}x")  # fmt: skip
        result("assist suggestion p95", p95, "ms", baseline=round(base95, 3),
               ratio=round(p95 / base95, 2), target=20)  # fmt: skip
        from loket.assist.actions import do_suggest
        from loket.assist.language import detect_language

        action, language = [], []
        for _round in range(ROUNDS):
            for body in texts:
                started = time.perf_counter()
                do_suggest(body["text"], "api")
                action.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                detect_language(body["text"])
                language.append((time.perf_counter() - started) * 1000)
        print(f"do_suggest alone (language, model, recorded row): p50 "
              f"{statistics.median(action):.2f} ms, p95 {percentile(action, 0.95):.2f} ms; "
              f"language detection alone p95 {percentile(language, 0.95):.3f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
