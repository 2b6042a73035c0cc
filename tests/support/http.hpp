#pragma once
// A blocking HTTP client for tests (libcurl): tests are the client, so blocking is fine here.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace piket::test {

struct HttpReply {
  int status = 0;  // 0: no connection
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

HttpReply http(const std::string& method, const std::string& url, const std::string& body = "",
               const std::map<std::string, std::string>& headers = {});

}  // namespace piket::test
