#include "models/rewards/role_split.hpp"

#include <numeric>
#include <string>

#include <catch2/catch.hpp>

using models::Role;
using models::RoleAmounts;
using models::RoleSplitSpec;
using models::split_by_role;
using models::UnusedShare;

namespace {

constexpr std::array<bool, models::kRoleCount> kAllUsed{true, true, true, true, true, true};

/// HIP-20's year-1 split: PoC 29 %, data 30 %, founders 35 % (here the treasury), consensus 6 %.
RoleSplitSpec hip20_year_one(UnusedShare unused) {
  RoleSplitSpec spec;
  spec.share = {0.30, 0.29, 0.0, 0.0, 0.06, 0.35};
  spec.unused = unused;
  return spec;
}

double total(const RoleAmounts& a) {
  return std::accumulate(a.tokens.begin(), a.tokens.end(), 0.0) + a.not_minted;
}

}  // namespace

TEST_CASE("models::split_by_role: pays each role its share when every role is used", "[unit]") {
  const RoleAmounts a = split_by_role(hip20_year_one(UnusedShare::treasury), 1e6, kAllUsed);
  CHECK(a[Role::data] == Approx(300'000).epsilon(1e-15));
  CHECK(a[Role::coverage] == Approx(290'000).epsilon(1e-15));
  CHECK(a[Role::validators] == Approx(60'000).epsilon(1e-15));
  CHECK(a[Role::treasury] == Approx(350'000).epsilon(1e-15));
  CHECK(a[Role::storage] == 0.0);
  CHECK(a.not_minted == 0.0);
  CHECK(total(a) == Approx(1e6).epsilon(1e-15));

  const RoleAmounts by_default = split_by_role(RoleSplitSpec{}, 1234.5, kAllUsed);
  CHECK(by_default[Role::data] == 1234.5);
  CHECK(total(by_default) == 1234.5);
}

TEST_CASE("models::split_by_role: an unused role's share goes where the spec says", "[unit]") {
  // No consensus group to pay (as after HIP-70): the 6 % has nowhere to go.
  std::array<bool, models::kRoleCount> used = kAllUsed;
  used[static_cast<std::size_t>(Role::validators)] = false;
  const double e = 1e6;

  const RoleAmounts to_treasury = split_by_role(hip20_year_one(UnusedShare::treasury), e, used);
  CHECK(to_treasury[Role::validators] == 0.0);
  CHECK(to_treasury[Role::treasury] == Approx(410'000).epsilon(1e-15));
  CHECK(to_treasury[Role::data] == Approx(300'000).epsilon(1e-15));
  CHECK(to_treasury.not_minted == 0.0);
  CHECK(total(to_treasury) == Approx(e).epsilon(1e-15));

  const RoleAmounts burned = split_by_role(hip20_year_one(UnusedShare::burn), e, used);
  CHECK(burned[Role::validators] == 0.0);
  CHECK(burned[Role::treasury] == Approx(350'000).epsilon(1e-15));
  CHECK(burned.not_minted == Approx(60'000).epsilon(1e-15));
  CHECK(total(burned) == Approx(e).epsilon(1e-15));

  const RoleAmounts spread = split_by_role(hip20_year_one(UnusedShare::pro_rata), e, used);
  CHECK(spread[Role::validators] == 0.0);
  CHECK(spread[Role::data] == Approx(300'000 / 0.94).epsilon(1e-15));      // 319 148.94
  CHECK(spread[Role::coverage] == Approx(290'000 / 0.94).epsilon(1e-15));  // 308 510.64
  CHECK(spread[Role::treasury] == Approx(350'000 / 0.94).epsilon(1e-15));  // 372 340.43
  CHECK(spread.not_minted == 0.0);
  CHECK(total(spread) == Approx(e).epsilon(1e-15));
}

TEST_CASE("models::split_by_role: the treasury is always there to be paid", "[unit]") {
  // used[treasury] = false is ignored: the treasury is an account, not a set of participants.
  std::array<bool, models::kRoleCount> none{};
  const RoleAmounts a = split_by_role(hip20_year_one(UnusedShare::burn), 100, none);
  CHECK(a[Role::treasury] == Approx(35));
  CHECK(a.not_minted == Approx(65));
  CHECK(total(a) == Approx(100).epsilon(1e-15));
}

TEST_CASE("models::split_by_role: pro_rata with every paid role unused falls back to the treasury",
          "[unit]") {
  RoleSplitSpec spec;
  spec.share = {0.5, 0.3, 0.2, 0.0, 0.0, 0.0};  // no treasury share
  spec.unused = UnusedShare::pro_rata;
  const std::array<bool, models::kRoleCount> none{};
  const RoleAmounts a = split_by_role(spec, 5000, none);
  CHECK(a[Role::treasury] == 5000);
  CHECK(a[Role::data] == 0.0);
  CHECK(a.not_minted == 0.0);

  spec.unused = UnusedShare::burn;
  const RoleAmounts burned = split_by_role(spec, 5000, none);
  CHECK(burned.not_minted == Approx(5000).epsilon(1e-15));
  CHECK(burned[Role::treasury] == 0.0);

  // One used role takes everything under pro_rata.
  std::array<bool, models::kRoleCount> only_storage{};
  only_storage[static_cast<std::size_t>(Role::storage)] = true;
  spec.unused = UnusedShare::pro_rata;
  CHECK(split_by_role(spec, 5000, only_storage)[Role::storage] == 5000);
}

TEST_CASE("models::split_by_role: refuses a negative emission and shares that do not sum to 1",
          "[unit]") {
  CHECK_THROWS_AS(split_by_role(RoleSplitSpec{}, -1.0, kAllUsed), std::invalid_argument);
  RoleSplitSpec short_of_one;
  short_of_one.share = {0.5, 0.4, 0.0, 0.0, 0.0, 0.0};
  CHECK_THROWS_WITH(split_by_role(short_of_one, 1.0, kAllUsed), Catch::Contains("sum to 0.9"));
  RoleSplitSpec negative;
  negative.share = {1.5, -0.5, 0.0, 0.0, 0.0, 0.0};
  CHECK_THROWS_AS(split_by_role(negative, 1.0, kAllUsed), std::invalid_argument);
}

TEST_CASE("models::role_name: names the roles as the YAML does", "[unit]") {
  CHECK(models::role_name(Role::data) == "data");
  CHECK(models::role_name(Role::validators) == "validators");
  CHECK(models::role_name(Role::treasury) == "treasury");
}

namespace {

using sim::config::ConfigError;
using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

RoleSplitSpec read(const std::string& yaml) {
  const Document doc = Document::load_string(yaml, "s.yaml");
  Reader r(doc);
  Section rewards = Section::root(r, YAML::Node()).section("rewards", "");
  const RoleSplitSpec spec = models::read_role_split_spec(rewards.section("split", ""));
  r.throw_if_problems();
  return spec;
}

std::vector<sim::config::Problem> problems(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("models::read_role_split_spec: reads shares and the unused rule", "[unit]") {
  const RoleSplitSpec defaults = read("rewards: {}\n");
  CHECK(defaults.share[0] == 1.0);
  CHECK(defaults.unused == UnusedShare::treasury);

  const RoleSplitSpec helium = read(
      "rewards:\n  split: {data: 0.3, coverage: 0.29, validators: 0.06, treasury: 0.35, "
      "unused: pro_rata}\n");
  CHECK(helium.share[static_cast<std::size_t>(Role::coverage)] == 0.29);
  CHECK(helium.share[static_cast<std::size_t>(Role::treasury)] == 0.35);
  CHECK(helium.unused == UnusedShare::pro_rata);
  CHECK(read("rewards:\n  split: {unused: burn}\n").unused == UnusedShare::burn);
}

TEST_CASE(
    "models::read_role_split_spec: shares off 1 are a problem at rewards.split naming the sum",
    "[unit]") {
  const auto sum = problems("rewards:\n  split: {data: 0.5, coverage: 0.4}\n");
  REQUIRE(sum.size() == 1);
  CHECK(sum[0].key == "rewards.split");
  CHECK(sum[0].message.find("sum to 0.9") != std::string::npos);

  const auto over = problems("rewards:\n  split: {data: 1, coverage: 1.5}\n");
  REQUIRE(over.size() == 1);  // coverage out of range; the sum would only echo it
  CHECK(over[0].key == "rewards.split.coverage");

  const auto unused = problems("rewards:\n  split: {unused: recycle}\n");
  REQUIRE(unused.size() == 1);
  CHECK(unused[0].key == "rewards.split.unused");
  CHECK(unused[0].message.find("treasury, burn, pro_rata") != std::string::npos);

  const auto typo = problems("rewards:\n  split: {data: 0.5, coverge: 0.5}\n");
  REQUIRE(typo.size() == 2);  // the sum (0.5), and the unknown key with a suggestion
  CHECK(typo[1].key == "rewards.split.coverge");
  CHECK(typo[1].message.find("did you mean \"coverage\"") != std::string::npos);
}
