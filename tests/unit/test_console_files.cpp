// The gateway's side of the web console, without sockets: its files answered from memory with
// the right types and caching, no path outside them, the security headers on every answer,
// the routes, and the text of server-sent events.
#include <catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "gateway/api/router.hpp"
#include "gateway/http/security_headers.hpp"
#include "gateway/live/sse.hpp"
#include "gateway/static/static_files.hpp"

namespace fs = std::filesystem;
using piket::gateway::RouteKind;
using piket::gateway::StaticFiles;

namespace {
const StaticFiles& console_files() {
  static const StaticFiles files = [] {
    auto loaded = StaticFiles::load(fs::path(PIKET_SOURCE_DIR) / "gateway" / "web");
    if (!loaded.ok()) throw std::runtime_error(loaded.error().message);
    return *loaded;
  }();
  return files;
}
}  // namespace

TEST_CASE("the console's files are answered with their content type, an ETag and no-cache, and "
          "the same ETag answers 304",
          "[unit][console]") {
  const auto& files = console_files();
  auto page = files.serve("index.html", "GET", "");
  CHECK(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find("/console/js/app.js") != std::string::npos);
  CHECK(page.headers.at("Cache-Control") == "no-cache");
  auto script = files.serve("js/app.js?v=1", "GET", "");
  CHECK(script.status == 200);
  CHECK(script.content_type == "text/javascript; charset=utf-8");
  CHECK(files.serve("css/console.css", "GET", "").content_type == "text/css; charset=utf-8");
  auto again = files.serve("js/app.js", "GET", script.headers.at("ETag"));
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  auto head = files.serve("js/app.js", "HEAD", "");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(files.serve("js/app.js", "POST", "").status == 405);
}

TEST_CASE("no console path reaches outside its files: dot segments, encoded dots and slashes, "
          "backslashes and hidden names are refused",
          "[unit][console]") {
  const auto& files = console_files();
  for (const char* bad : {"../CMakeLists.txt", "js/../index.html", "%2e%2e/CMakeLists.txt", "js%2fapp.js",
                          "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "js//app.js", "./index.html", ".git/config",
                          "js\\app.js", "", "js/", "..", "index.html%00"}) {
    CAPTURE(bad);
    CHECK(files.serve(bad, "GET", "").status == 400);
  }
  CHECK(files.serve("nothing.js", "GET", "").status == 404);
  CHECK(files.serve("CMakeLists.txt", "GET", "").status == 404);
}

TEST_CASE("a folder with a symlink out of it serves nothing outside, and files of unknown types "
          "are not loaded",
          "[unit][console]") {
  const fs::path dir = fs::temp_directory_path() / ("piket-web-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "js");
  std::ofstream(dir / "index.html") << "<!doctype html>";
  std::ofstream(dir / "secret.key") << "KEY";
  std::ofstream(dir / ".hidden.js") << "x";
  auto loaded = StaticFiles::load(dir);
  REQUIRE(loaded.ok());
  CHECK(loaded->size() == 1);
  CHECK(loaded->serve("secret.key", "GET", "").status == 404);
  CHECK(loaded->serve(".hidden.js", "GET", "").status == 400);
  CHECK_FALSE(StaticFiles::load(dir / "missing").ok());
  fs::remove_all(dir);
}

TEST_CASE("every answer gets the security headers, and an answer's own Cache-Control stays",
          "[unit][console]") {
  std::map<std::string, std::string> headers{{"Cache-Control", "no-cache"}};
  piket::gateway::add_security_headers(headers);
  CHECK(headers.at("Content-Security-Policy").find("default-src 'self'") != std::string::npos);
  CHECK(headers.at("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
  CHECK(headers.at("Content-Security-Policy").find("unsafe-inline") == std::string::npos);
  CHECK(headers.at("X-Content-Type-Options") == "nosniff");
  CHECK(headers.at("Referrer-Policy") == "no-referrer");
  CHECK(headers.count("Permissions-Policy") == 1);
  CHECK(headers.at("Cache-Control") == "no-cache");
  std::map<std::string, std::string> api;
  piket::gateway::add_security_headers(api);
  CHECK(api.at("Cache-Control") == "no-store");
}

TEST_CASE("the console is at / and under /console/, the live feed at /api/v1/events, and a "
          "worker's own assignments at /api/v1/assignments",
          "[unit][console]") {
  using piket::gateway::route;
  auto root = route("GET", "/");
  CHECK(root.kind == RouteKind::console);
  CHECK(root.id == "index.html");
  CHECK(root.public_access);
  auto file = route("GET", "/console/js/app.js?x=1");
  CHECK(file.kind == RouteKind::console);
  CHECK(file.id == "js/app.js");
  CHECK(route("GET", "/console/../api/v1/reports").id == "../api/v1/reports");  // refused by the files
  CHECK(route("GET", "/api/v1/events").kind == RouteKind::events);
  CHECK_FALSE(route("GET", "/api/v1/events").public_access);
  CHECK(route("POST", "/api/v1/events").kind == RouteKind::method_not_allowed);
  auto mine = route("GET", "/api/v1/assignments");
  CHECK(mine.kind == RouteKind::dispatcher);
  CHECK(mine.rpc == "assignment.mine");
  CHECK(route("POST", "/api/v1/assignments/a-1/accept").kind == RouteKind::accept_assignment);
  CHECK(route("GET", "/%2e%2e/etc/passwd").kind == RouteKind::not_found);
}

TEST_CASE("a server-sent event carries its id and one data line per line of its data", "[unit][console]") {
  CHECK(piket::gateway::sse_event("1-0", R"({"a":1})") == "id: 1-0\ndata: {\"a\":1}\n\n");
  CHECK(piket::gateway::sse_event("2-0", "x\ny") == "id: 2-0\ndata: x\ndata: y\n\n");
  CHECK(piket::gateway::sse_comment("hi") == ": hi\n\n");
}
