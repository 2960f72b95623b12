// Reading the `storage:` section: payment model, deals, proofs, fees, endowment and repair.
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "models/storage_network.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

DealSpec read_deal_spec(Section s) {
  DealSpec d;
  d.per_day = s.number("per_day", d.per_day, "1/d", Range::at_least(0.0),
                       "deals arriving per day (Poisson)");
  d.size_gib = s.number("size_gib", d.size_gib, "GiB", Range::above(0.0), "median deal size");
  d.size_sigma = s.number("size_sigma", d.size_sigma, "", Range::between(0.0, 5.0),
                          "spread of ln(size): sizes are lognormal (0: all the same)");
  d.max_size_gib = s.number("max_size_gib", d.max_size_gib, "GiB", Range::above(0.0),
                            "largest deal; bigger draws are cut to this");
  if (d.size_gib > d.max_size_gib) {
    s.problem("size_gib", "must not exceed max_size_gib");
    d.size_gib = d.max_size_gib;
  }
  d.replicas = s.integer("replicas", d.replicas, Range::between(1.0, 255.0),
                         "replicas of each deal, on distinct providers");
  d.duration = s.duration("duration", d.duration, Time::minutes(1),
                          "term of a deal (payment: filecoin; arweave stores for ever)");
  d.verified_share = s.number("verified_share", d.verified_share, "", Range::between(0.0, 1.0),
                              "share of deals that are verified (QAP ×10)");
  d.price_usd_per_tib_month =
      s.number("price_usd_per_tib_month", d.price_usd_per_tib_month, "USD/TiB/month",
               Range::at_least(0.0), "what a client pays per replica proven (payment: filecoin)");
  s.finish();
  return d;
}

}  // namespace

StorageSpec read_storage_spec(Section s) {
  StorageSpec spec;
  static constexpr std::array<std::string_view, 2> kPayments{"filecoin", "arweave"};
  spec.payment =
      s.choice("payment", "filecoin", kPayments,
               "filecoin: deals, pledge and fees; arweave: pay once, endowment") == "arweave"
          ? StoragePayment::arweave
          : StoragePayment::filecoin;
  spec.deals = read_deal_spec(s.section("deals", "clients' deals: arrivals, size, replicas, term"));
  spec.proofs = read_proof_spec(s.section("proofs", "proving period, deadlines, termination"));
  spec.fees = read_filecoin_fee_spec(s.section("fees", "Filecoin pledge and fees"));
  spec.arweave = read_arweave_spec(s.section("arweave", "Arweave pricing and endowment"));
  static constexpr std::array<std::string_view, 2> kRepairs{"none", "on_termination"};
  spec.repair = s.choice("repair", "on_termination", kRepairs,
                         "re-replicate a terminated replica from a surviving one") == "none"
                    ? RepairPolicy::none
                    : RepairPolicy::on_termination;
  if (spec.payment == StoragePayment::arweave && spec.deals.replicas > spec.arweave.replicas) {
    s.problem("deals", "replicas (" + std::to_string(spec.deals.replicas) +
                           ") must not exceed arweave.replicas (" +
                           std::to_string(spec.arweave.replicas) + "), which the fee pays for");
  }
  s.finish();
  return spec;
}

}  // namespace models
