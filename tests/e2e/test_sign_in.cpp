// Signing in against the real stack: browser sessions (cookie, CSRF, expiry, sign-out), the
// lock-out after wrong passwords, API tokens and their scopes, revocation with piket-admin, and
// no secret in any log line.
#include <catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Stack;

namespace {
json sign_in_body(const std::string& user, const std::string& password) {
  return {{"user", user}, {"password", password}};
}

piket::test::HttpReply anonymous(const Stack& stack, const std::string& method, const std::string& path,
                                 const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
  return piket::test::http(method, stack.url(path), body, headers);
}

std::string cookie_of(const piket::test::HttpReply& reply) {
  const std::string set = reply.headers.at("set-cookie");
  return set.substr(0, set.find(';'));
}

// Every daemon's log and piket-admin's: none may hold any of `secrets`.
void check_no_secret_logged(const Stack& stack, const std::vector<std::string>& secrets) {
  for (const char* name : {"gateway", "dispatcher", "scheduler", "notifier", "admin"}) {
    const std::string text = stack.log(name);
    for (const auto& secret : secrets) {
      CAPTURE(name, secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}
}  // namespace

TEST_CASE("a browser signs in with a password and gets a strict cookie with a new session, "
          "changes need the CSRF token, and signing out ends the session",
          "[e2e][auth]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.as_user("anna", "--role operator --region '*'");
  // Without a session or token only the health check answers.
  CHECK(anonymous(stack, "GET", "/healthz").status == 200);
  auto refused = anonymous(stack, "GET", "/api/v1/reports");
  CHECK(refused.status == 401);
  CHECK(refused.json()["error"]["code"] == "unauthenticated");
  CHECK(refused.headers.count("www-authenticate") == 1);
  CHECK(anonymous(stack, "GET", "/api/v1/reports", "", {{"X-Piket-Actor", "anna"}}).status == 401);
  CHECK(anonymous(stack, "GET", "/api/v1/reports", "", {{"Authorization", "Bearer nope.nope"}}).status == 401);

  auto signed_in = anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", Stack::kPassword).dump());
  REQUIRE(signed_in.status == 201);
  const std::string set_cookie = signed_in.headers.at("set-cookie");
  for (const char* part : {"piket_session=", "HttpOnly", "SameSite=Strict", "Path=/"})
    CHECK(set_cookie.find(part) != std::string::npos);
  CHECK(set_cookie.find("Secure") == std::string::npos);  // turned off for this loopback stack
  const json body = signed_in.json();
  CHECK(body["principal"]["id"] == "anna");
  CHECK(body["principal"]["roles"] == json::array({"operator"}));
  const std::string csrf = body["csrf_token"], cookie = cookie_of(signed_in);
  const std::string session = body["session"]["id"];

  auto me = anonymous(stack, "GET", "/api/v1/session", "", {{"Cookie", cookie}});
  REQUIRE(me.status == 200);
  CHECK(me.json()["principal"]["id"] == "anna");
  CHECK(me.json()["principal"]["session"] == session);
  CHECK(me.json()["csrf_token"] == csrf);

  // A change from the cookie alone (another site could make the browser send it) is refused.
  const std::string report = R"({"source":"police","municipality":"Houten","indicators":["concern"]})";
  auto forged = anonymous(stack, "POST", "/api/v1/reports", report, {{"Cookie", cookie}});
  CHECK(forged.status == 403);
  CHECK(forged.json()["error"]["field"] == "X-CSRF-Token");
  CHECK(anonymous(stack, "POST", "/api/v1/reports", report, {{"Cookie", cookie}, {"X-CSRF-Token", csrf + "x"}}).status == 403);
  CHECK(anonymous(stack, "POST", "/api/v1/reports", report, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}).status == 201);

  // Signing in again from this browser gives a new session id; the old one ends.
  auto again = anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", Stack::kPassword).dump(), {{"Cookie", cookie}});
  REQUIRE(again.status == 201);
  CHECK(again.json()["session"]["id"] != session);
  CHECK(anonymous(stack, "GET", "/api/v1/session", "", {{"Cookie", cookie}}).status == 401);

  const std::string cookie2 = cookie_of(again), csrf2 = again.json()["csrf_token"];
  CHECK(anonymous(stack, "DELETE", "/api/v1/session", "", {{"Cookie", cookie2}}).status == 403);  // no CSRF token
  auto out = anonymous(stack, "DELETE", "/api/v1/session", "", {{"Cookie", cookie2}, {"X-CSRF-Token", csrf2}});
  CHECK(out.status == 204);
  CHECK(out.headers.at("set-cookie").find("Max-Age=0") != std::string::npos);
  CHECK(anonymous(stack, "GET", "/api/v1/session", "", {{"Cookie", cookie2}}).status == 401);

  check_no_secret_logged(stack, {Stack::kPassword, cookie.substr(cookie.find('.') + 1),
                                 cookie2.substr(cookie2.find('.') + 1), csrf, csrf2});
}

TEST_CASE("wrong passwords lock the account out with Retry-After, an unknown name is answered "
          "the same, and the lock ends after the back-off",
          "[e2e][auth]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.as_user("anna", "--role operator --region '*'");
  const std::string wrong = "wrong-horse-battery-1";
  auto unknown = anonymous(stack, "POST", "/api/v1/session", sign_in_body("nobody", wrong).dump());
  CHECK(unknown.status == 401);
  // The stack's limit is three failures, then 60 s.
  for (int i = 0; i < 3; ++i) {
    auto reply = anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", wrong).dump());
    CHECK(reply.status == 401);
    CHECK(reply.json()["error"] == unknown.json()["error"]);
  }
  auto locked = anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", Stack::kPassword).dump());
  CHECK(locked.status == 429);
  CHECK(locked.json()["error"]["code"] == "too_many_requests");
  REQUIRE(locked.headers.count("retry-after") == 1);
  const int retry_after = std::stoi(locked.headers.at("retry-after"));
  CHECK(retry_after > 0);
  CHECK(retry_after <= 61);
  stack.advance(std::chrono::seconds(retry_after));
  CHECK(anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", Stack::kPassword).dump()).status == 201);
  // Signed in: the count starts again.
  CHECK(anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", wrong).dump()).status == 401);
  CHECK(anonymous(stack, "POST", "/api/v1/session", sign_in_body("anna", Stack::kPassword).dump()).status == 201);
  check_no_secret_logged(stack, {Stack::kPassword, wrong});
  CHECK(stack.log("gateway").find("event=login_locked user=anna") != std::string::npos);
}

TEST_CASE("a session idle too long, a revoked session and a revoked token are refused",
          "[e2e][auth]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const auto& token_caller = stack.as_user("anna", "--role operator --region '*'");
  CHECK(token_caller.get("/api/v1/session").status == 200);

  auto idle = stack.sign_in("anna");
  CHECK(idle.get("/api/v1/session").status == 200);
  stack.advance(31min);  // the default idle limit is 30 minutes
  auto expired = idle.get("/api/v1/session");
  CHECK(expired.status == 401);
  CHECK(expired.json()["error"]["message"].get<std::string>().find("sign in again") != std::string::npos);

  auto revoked = stack.sign_in("anna");
  const std::string id = revoked.get("/api/v1/session").json()["session"]["id"];
  CHECK(stack.admin("list-sessions --id anna").find(id) != std::string::npos);
  // Revoked elsewhere (piket-admin): every gateway stops trusting it within auth.cache_ms (5 s).
  stack.admin("revoke-session --id " + id);
  CHECK(piket::test::eventually([&] { return revoked.get("/api/v1/session").status == 401; }, 10s));

  // A token works until it is revoked; its last use is recorded.
  const std::string token = stack.new_token("anna");
  const std::string token_id = token.substr(0, token.find('.'));
  CHECK(piket::test::http("GET", stack.url("/api/v1/reports"), "", {{"Authorization", "Bearer " + token}}).status == 200);
  const std::string listed = stack.admin("list-tokens --id anna");
  CHECK(listed.find(token_id) != std::string::npos);
  CHECK(listed.find(token.substr(token.find('.') + 1)) == std::string::npos);  // never shown again
  stack.admin("revoke-token --id " + token_id);
  CHECK(piket::test::eventually([&] {
    return piket::test::http("GET", stack.url("/api/v1/reports"), "", {{"Authorization", "Bearer " + token}}).status == 401;
  }, 10s));
  // A new password ends the sessions.
  auto before_reset = stack.sign_in("anna");
  stack.admin("reset-password --id anna --password-stdin", "another-long-passphrase-2\n");
  CHECK(piket::test::eventually([&] { return before_reset.get("/api/v1/session").status == 401; }, 10s));
  CHECK_THROWS(stack.sign_in("anna"));
  CHECK(stack.sign_in("anna", "another-long-passphrase-2").get("/api/v1/session").status == 200);
  check_no_secret_logged(stack, {token.substr(token.find('.') + 1), "another-long-passphrase-2"});
}

TEST_CASE("an integration client's token creates reports and does nothing else", "[e2e][auth]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.admin("add-client --id police-channel");
  const std::string token = stack.new_token("police-channel", "--scope reports:create --name 'police intake'");
  const piket::test::Caller police{&stack, {{"Authorization", "Bearer " + token}}};
  auto created = police.post("/api/v1/reports", {{"source", "police"}, {"municipality", "Amersfoort"}, {"indicators", {"concern"}}});
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"];
  CHECK(police.get("/api/v1/reports/" + id).status == 403);
  CHECK(police.get("/api/v1/reports").status == 403);
  CHECK(police.get("/api/v1/oncall?region=eemland").status == 403);
  CHECK(police.get("/metrics").status == 403);
  CHECK(police.get("/api/v1/session").json()["principal"]["scopes"] == json::array({"reports:create"}));
  // The report's audit trail names the client, not a name the request gave.
  const json report = stack.get("/api/v1/reports/" + id).json();
  bool by_client = false;
  for (const auto& e : report["timeline"]) by_client = by_client || e.value("actor", "") == "police-channel";
  CHECK(by_client);
  // A scope that does not exist is refused when the token is made.
  CHECK_THROWS(stack.new_token("police-channel", "--scope reports:delete"));
  check_no_secret_logged(stack, {token.substr(token.find('.') + 1)});
}
