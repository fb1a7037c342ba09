#!/usr/bin/env python3
"""Tests of the benchmark statistics in worker_client.py (stdlib only; run by scripts/test.sh)."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker_client import interleaved, paired_ratio, verdict  # noqa: E402


class PairedRatio(unittest.TestCase):
    def test_a_steady_ratio_is_exact(self):
        r = paired_ratio([1.0, 1.0, 1.0], [0.5, 0.5, 0.5])
        self.assertEqual((r["pooled"], r["median"], r["ci_low"], r["ci_high"]), (2.0, 2.0, 2.0, 2.0))

    def test_drift_that_slows_both_sides_of_a_round_cancels(self):
        # The machine runs 8x slower by the last round; each round's sides stay 2:1.
        r = paired_ratio([1.0, 2.0, 4.0, 8.0], [0.5, 1.0, 2.0, 4.0])
        self.assertAlmostEqual(r["pooled"], 2.0)
        self.assertAlmostEqual(r["ci_low"], 2.0)
        self.assertAlmostEqual(r["ci_high"], 2.0)

    def test_the_interval_holds_the_pooled_ratio_and_is_reproducible(self):
        base = [1.0, 1.1, 0.9, 1.3, 1.0, 0.8, 1.2, 1.0]
        other = [1.0, 1.0, 1.0, 1.0, 1.1, 0.9, 1.0, 1.05]
        r = paired_ratio(base, other)
        self.assertLess(r["ci_low"], r["pooled"])
        self.assertLess(r["pooled"], r["ci_high"])
        self.assertLessEqual(r["min"], r["median"])
        self.assertLessEqual(r["median"], r["max"])
        self.assertEqual(r, paired_ratio(base, other))

    def test_verdict(self):
        self.assertEqual(verdict(0.98, 1.1, 0.98), "meets")
        self.assertEqual(verdict(0.90, 0.979, 0.98), "below")
        self.assertEqual(verdict(0.95, 1.01, 0.98), "undecided")


class Interleaved(unittest.TestCase):
    def test_rounds_alternate_and_reverse(self):
        calls = []
        t = interleaved({"a": lambda n: calls.append(("a", n)) or 1.0,
                         "b": lambda n: calls.append(("b", n)) or 2.0}, 5, 3)
        self.assertEqual(calls, [("a", 5), ("b", 5), ("b", 5), ("a", 5), ("a", 5), ("b", 5)])
        self.assertEqual(t, {"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]})


if __name__ == "__main__":
    unittest.main()
