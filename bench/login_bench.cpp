// login_bench: what one sign-in costs the gateway: argon2id (crypto_pwhash_str_verify) with the
// deployment's [auth] parameters, N times on one core, median and p90 in milliseconds.
// Usage: login_bench [--config config/piket.toml] [-n 20] [--opslimit N --memlimit-kib N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/auth/credentials.hpp"
#include "common/config.hpp"

int main(int argc, char** argv) {
  CLI::App app{"login_bench: the cost of one password check (argon2id)"};
  std::string config_file = "config/piket.toml";
  int n = 20;
  std::int64_t opslimit = 0, memlimit_kib = 0;
  app.add_option("--config", config_file, "take the parameters from this piket.toml")->capture_default_str();
  app.add_option("-n", n, "checks to time")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--opslimit", opslimit, "instead of the config's");
  app.add_option("--memlimit-kib", memlimit_kib, "instead of the config's");
  CLI11_PARSE(app, argc, argv);
  const piket::PiketConfig config = piket::load_config_or_exit(config_file);
  piket::auth::PasswordCost cost{static_cast<std::uint64_t>(opslimit ? opslimit : config.auth.password_opslimit),
                                 static_cast<std::size_t>(memlimit_kib ? memlimit_kib : config.auth.password_memlimit_kib) * 1024};
  auto hash = piket::auth::hash_password("correct-horse-battery-9", cost);
  if (!hash.ok()) {
    std::fprintf(stderr, "login_bench: %s\n", hash.error().to_string().c_str());
    return 1;
  }
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const bool ok = piket::auth::verify_password(*hash, "correct-horse-battery-9");
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!ok) return 1;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("login_bench: argon2id opslimit=%llu memlimit=%zu KiB n=%d median=%.1f ms p90=%.1f ms max=%.1f ms\n",
              static_cast<unsigned long long>(cost.opslimit), cost.memlimit / 1024, n, ms[ms.size() / 2],
              ms[std::min(ms.size() - 1, ms.size() * 9 / 10)], ms.back());
  return 0;
}
