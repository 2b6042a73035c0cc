#include "tests/support/smtp_sink.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace piket::test {

SmtpSink::SmtpSink() : port_(free_port()), dir_(make_temp_dir("piket-smtp")) {
  // Debian's interpreter: python3-aiosmtpd is installed for it (not for another python3 first
  // in PATH).
  process_ = Process({"/usr/bin/python3", std::string(PIKET_SOURCE_DIR) + "/scripts/smtp_sink.py", "--port",
                      std::to_string(port_), "--out", dir_ + "/mail"},
                     dir_ + "/smtp.log");
  if (!wait_for_port(port_, std::chrono::seconds(15))) throw std::runtime_error("the SMTP sink did not start");
}

SmtpSink::~SmtpSink() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void SmtpSink::stop() {
  if (process_.pid() > 0 && process_.running()) process_.stop(std::chrono::milliseconds(3000));
}

std::vector<std::string> SmtpSink::messages() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/mail", ec))
    if (entry.path().extension() == ".eml") names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::ifstream in(name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  return out;
}

}  // namespace piket::test
