"""Statistics of the harness against hand-computed values."""

import math
import unittest

from ferrybench import stats


class QuantileTest(unittest.TestCase):
    def test_median_odd_and_even(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.5)
        self.assertEqual(stats.median([7]), 7)

    def test_type7_interpolation(self):
        xs = [1, 2, 3, 4, 5]
        self.assertEqual(stats.quantile(xs, 0.0), 1)
        self.assertEqual(stats.quantile(xs, 1.0), 5)
        self.assertEqual(stats.quantile(xs, 0.25), 2)
        self.assertEqual(stats.quantile(xs, 0.75), 4)
        # (n-1)*q = 0.3 of the way from 10 to 20
        self.assertAlmostEqual(stats.quantile([10, 20], 0.3), 13.0)
        # numpy.percentile([15, 20, 35, 40, 50], 40) == 29.0
        self.assertAlmostEqual(stats.quantile([15, 20, 35, 40, 50], 0.4), 29.0)

    def test_ignores_missing_runs(self):
        self.assertEqual(stats.median([None, 5, float("nan"), 1]), 3)

    def test_rejects_empty_and_bad_q(self):
        with self.assertRaises(ValueError):
            stats.median([])
        with self.assertRaises(ValueError):
            stats.median([None])
        with self.assertRaises(ValueError):
            stats.quantile([1], 1.5)

    def test_iqr_and_summary(self):
        xs = [6, 7, 15, 36, 39, 40, 41, 42, 43, 47, 49]
        lo, hi = stats.iqr(xs)
        self.assertAlmostEqual(lo, 25.5)   # numpy.percentile(xs, 25)
        self.assertAlmostEqual(hi, 42.5)   # numpy.percentile(xs, 75)
        s = stats.summarize(xs)
        self.assertEqual((s["median"], s["min"], s["max"], s["n"]), (40, 6, 49, 11))

    def test_percentile_of_samples(self):
        samples = list(range(1, 101))  # 1..100
        self.assertAlmostEqual(stats.percentile_of_samples(samples, 50), 50.5)
        self.assertAlmostEqual(stats.percentile_of_samples(samples, 99), 99.01)


class PairwiseTest(unittest.TestCase):
    def test_ratios_pair_by_index(self):
        a = [100, 110, 90]
        b = [50, 100, 30]
        self.assertEqual(stats.pairwise_ratios(a, b), [2.0, 1.1, 3.0])
        s = stats.pairwise_ratio_summary(a, b)
        self.assertEqual(s["median"], 2.0)
        self.assertEqual((s["min"], s["max"]), (1.1, 3.0))

    def test_median_of_ratios_is_not_ratio_of_medians(self):
        # Drift: both systems slow down together. Pairwise, A is always 2x B.
        a = [200, 400, 800, 1600, 3200]
        b = [100, 200, 400, 800, 1600]
        self.assertEqual(stats.pairwise_ratio_summary(a, b)["median"], 2.0)
        # With one noisy pair the median of ratios stays put.
        b2 = [100, 200, 400, 800, 100]
        self.assertEqual(stats.pairwise_ratio_summary(a, b2)["median"], 2.0)
        self.assertNotAlmostEqual(stats.median(a) / stats.median(b2), 2.0)

    def test_failed_runs_drop_their_pair(self):
        self.assertEqual(stats.pairwise_ratios([1, None, 3, 4], [1, 2, None, 0]), [1.0])
        self.assertIsNone(stats.pairwise_ratio_summary([None], [1]))

    def test_unpaired_lengths_are_an_error(self):
        with self.assertRaises(ValueError):
            stats.pairwise_ratios([1, 2], [1])

    def test_aligned_pairs_keep_run_positions(self):
        self.assertEqual(stats.pairwise([4, None, 9, 1], [2, 3, 3, 0], "ratio"), [2.0, None, 3.0, None])
        self.assertEqual(stats.pairwise([400, 410], [30, 31], "difference"), [370.0, 379.0])
        with self.assertRaises(ValueError):
            stats.pairwise([1], [1], "product")

    def test_nan_is_skipped(self):
        self.assertEqual(stats.pairwise_ratios([math.nan, 4], [1, 2]), [2.0])


if __name__ == "__main__":
    unittest.main()
