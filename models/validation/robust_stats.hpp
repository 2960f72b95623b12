#pragma once
// Robust location and spread: median, median absolute deviation, modified z-score, trimmed mean.

#include <span>

namespace models {

/// 1.4826 · MAD estimates the standard deviation of normal data (1/Φ⁻¹(3/4), to the four places
/// Iglewicz & Hoaglin, "How to Detect and Handle Outliers", ASQC 1993, publish).
inline constexpr double kMadToSd = 1.4826;
/// Φ⁻¹(3/4) to four places, the factor in the modified z-score (Iglewicz & Hoaglin 1993).
inline constexpr double kModifiedZFactor = 0.6745;

/// Median and median absolute deviation of one sample.
///   RobustSummary r = robust_summary_in_place(values);  double sd = kMadToSd * r.mad;
struct RobustSummary {
  double median = 0.0;
  double mad = 0.0;  // med |x - median|
};

/// The median of v (the mean of the two middle values when v.size() is even); reorders v.
/// NaN when v is empty.
double median_in_place(std::span<double> v);

/// The median of v, leaving v as it is.
double median(std::span<const double> v);

/// Median and MAD of v in one pass over a buffer; overwrites v with the absolute deviations.
/// Allocates nothing, for the consensus hot loop. NaN for both when v is empty.
RobustSummary robust_summary_in_place(std::span<double> v);

/// The median absolute deviation med|x − med(x)| of v, leaving v as it is.
double median_absolute_deviation(std::span<const double> v);

/// The modified z-score 0.6745·(x − median)/MAD (Iglewicz & Hoaglin 1993), which they flag as
/// an outlier when |z| > 3.5. Infinite (signed) when MAD = 0 and x differs from the median.
double modified_z(double x, double median, double mad);

/// The mean of v after dropping ⌊fraction·n⌋ of the smallest and as many of the largest values;
/// fraction in [0, 0.5). The "20 % trimmed mean" is trimmed_mean(v, 0.2) (Wilcox, "Introduction
/// to Robust Estimation and Hypothesis Testing", 2012: g = ⌊γn⌋ from each end).
double trimmed_mean(std::span<const double> v, double fraction);

}  // namespace models
