#include "models/economy/compute_market.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "models/economy/burn_and_mint.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

std::int64_t to_micro_usd(double usd) {
  if (!std::isfinite(usd) || std::abs(usd) > 9e12) {
    throw std::invalid_argument("to_micro_usd: amount not finite or too large");
  }
  return std::llround(usd * 1e6);
}

bool reverse_auction(std::vector<ComputeBid>& bids, double budget_usd_per_unit,
                     std::size_t wanted) {
  if (wanted == 0)
    throw std::invalid_argument("reverse_auction: an order wants at least one lease");
  std::erase_if(bids,
                [&](const ComputeBid& b) { return !(b.usd_per_unit <= budget_usd_per_unit); });
  if (bids.size() < wanted) {
    bids.clear();
    return false;
  }
  const auto cheaper = [](const ComputeBid& a, const ComputeBid& b) {
    return a.usd_per_unit != b.usd_per_unit ? a.usd_per_unit < b.usd_per_unit
                                            : a.provider < b.provider;
  };
  std::partial_sort(bids.begin(), bids.begin() + static_cast<std::ptrdiff_t>(wanted), bids.end(),
                    cheaper);
  bids.resize(wanted);
  for (std::size_t i = 0; i < bids.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (bids[i].provider == bids[j].provider) {
        throw std::invalid_argument("reverse_auction: provider " +
                                    std::to_string(bids[i].provider) + " bid twice");
      }
    }
  }
  return true;
}

ComputeMarket::ComputeMarket(const ComputeMarketSpec& spec) : spec_(spec) {
  if (spec.take_rate_percent < 0 || spec.take_rate_percent > 100) {
    throw std::invalid_argument("ComputeMarket: take_rate_percent must be in [0, 100]");
  }
  if (!(spec.price_usd_per_unit >= 0.0)) {
    throw std::invalid_argument("ComputeMarket: price_usd_per_unit must be non-negative");
  }
  if (!(spec.bid_markup >= 0.0)) {
    throw std::invalid_argument("ComputeMarket: bid_markup must be non-negative");
  }
  if (spec.candidates_per_job < 1) {
    throw std::invalid_argument("ComputeMarket: candidates_per_job must be at least 1");
  }
}

ComputePayment ComputeMarket::pay(double usd) const {
  if (!(usd >= 0.0)) throw std::invalid_argument("ComputeMarket::pay: negative amount");
  ComputePayment p;
  // The work's value is its claim on the compute pool in both markets: Render pays its
  // operators from the pool only; an Akash-style network pays leases and may add incentives
  // from its emission (rewards.split.compute, 0 by default).
  p.reward_weight = usd;
  if (spec_.kind == ComputeMarketKind::akash) {
    const AkashTake split = akash_take(to_micro_usd(usd), spec_.take_rate_percent);
    p.client_usd = from_micro_usd(split.earnings);
    p.take_usd = from_micro_usd(split.fee);
  } else {
    p.burn_usd = usd;
  }
  return p;
}

ComputeMarketSpec read_compute_market_spec(Section s) {
  ComputeMarketSpec m;
  static constexpr std::array<std::string_view, 2> kKinds{"akash", "render"};
  const std::string kind =
      s.choice("kind", "akash", kKinds,
               "akash: reverse auction with a take rate; render: fixed price, burn-and-mint");
  m.kind = kind == "render" ? ComputeMarketKind::render : ComputeMarketKind::akash;
  if (m.kind == ComputeMarketKind::akash || s.describing()) {
    m.take_rate_percent =
        s.integer("take_rate_percent", m.take_rate_percent, Range::between(0.0, 100.0),
                  "akash: the protocol's take, percent of each payment (AEP-23: 20 for USDC)");
    m.bid_markup = s.number("bid_markup", m.bid_markup, "", Range::at_least(0.0),
                            "akash: a bid is ask x (1 + U(0, bid_markup)), drawn per order");
  }
  if (m.kind == ComputeMarketKind::render || s.describing()) {
    m.price_usd_per_unit = s.number("price_usd_per_unit", m.price_usd_per_unit, "USD/unit",
                                    Range::at_least(0.0), "render: the fixed price of a work unit");
  }
  m.candidates_per_job =
      s.integer("candidates_per_job", m.candidates_per_job, Range::at_least(1.0),
                "providers, drawn at random, that see an order (akash: bid; render: are tried)");
  m.max_queue = s.duration("max_queue", m.max_queue, Time{},
                           "a provider takes new work only while its backlog is shorter");
  s.finish();
  return m;
}

}  // namespace models
