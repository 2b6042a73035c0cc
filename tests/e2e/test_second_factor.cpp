// The second factor against the real stack: a role that reads report details signs in only
// with a TOTP code (good once) or a recovery code (good once); an administrator enrols it with
// piket-admin, a user can enrol themselves; no secret or code in any log line.
#include <catch.hpp>

#include <sstream>

#include "common/auth/totp.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Stack;

namespace {

piket::test::StackOptions with_second_factor() {
  auto options = piket::test::starting_at(piket::test::weekday_afternoon());
  options.auth["second_factor_roles"] = R"(["operator", "worker", "privacy_officer"])";
  options.auth["login_max_failures"] = "20";  // the tests try many wrong codes on purpose
  return options;
}

piket::test::HttpReply sign_in(const Stack& stack, json body) {
  body["user"] = body.value("user", "desk7");
  body["password"] = Stack::kPassword;
  return piket::test::http("POST", stack.url("/api/v1/session"), body.dump());
}

// The values of the lines "<label>: value" in piket-admin's output.
std::vector<std::string> lines_with(const std::string& output, const std::string& label) {
  std::vector<std::string> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(label + ": ", 0) == 0) out.push_back(line.substr(label.size() + 2));
  return out;
}

std::string code_at(const std::string& secret, piket::TimePoint at) {
  auto code = piket::auth::totp_code(secret, at);
  REQUIRE(code);
  return *code;
}

}  // namespace

TEST_CASE("an operator signs in only with a second factor: a TOTP code once, a recovery code once",
          "[e2e][auth][totp]") {
  Stack stack{with_second_factor()};
  stack.admin("add-user --id desk7 --role operator --region '*' --password-stdin", std::string(Stack::kPassword) + "\n");

  auto none_yet = sign_in(stack, json::object());
  CHECK(none_yet.status == 403);
  CHECK(none_yet.json()["error"]["field"] == "otp");

  const std::string enrolled = stack.admin("enrol-totp --id desk7");
  const auto secrets = lines_with(enrolled, "secret");
  const auto recovery = lines_with(enrolled, "recovery code");
  REQUIRE(secrets.size() == 1);
  REQUIRE(recovery.size() == 10);
  CHECK(lines_with(enrolled, "otpauth").at(0).rfind("otpauth://totp/Piket:desk7?secret=" + secrets[0], 0) == 0);

  auto password_only = sign_in(stack, json::object());
  CHECK(password_only.status == 401);
  CHECK(password_only.json()["error"]["field"] == "otp");
  const std::string code = code_at(secrets[0], stack.now());
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto wrong_code = sign_in(stack, {{"otp", wrong}});
  CHECK(wrong_code.status == 401);
  CHECK(wrong_code.json()["error"]["field"] == "otp");
  CHECK(sign_in(stack, {{"otp", "12ab56"}}).status == 401);

  auto signed_in = sign_in(stack, {{"otp", code}});
  CHECK(signed_in.status == 201);
  auto replayed = sign_in(stack, {{"otp", code}});
  CHECK(replayed.status == 401);
  CHECK(replayed.json()["error"]["message"].get<std::string>().find("used already") != std::string::npos);

  // The next step's code is good (once); so is each recovery code, once, in any case and dashes.
  stack.advance(30s);
  CHECK(sign_in(stack, {{"otp", code_at(secrets[0], stack.now())}}).status == 201);
  std::string shouted = recovery[3];
  for (auto& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(sign_in(stack, {{"recovery_code", shouted}}).status == 201);
  auto again = sign_in(stack, {{"recovery_code", recovery[3]}});
  CHECK(again.status == 401);
  CHECK(again.json()["error"]["field"] == "recovery_code");

  // A lost phone: the administrator takes the factor away, and the operator is asked to enrol.
  stack.admin("reset-totp --id desk7");
  CHECK(sign_in(stack, {{"otp", code_at(secrets[0], stack.now())}}).status == 403);

  std::vector<std::string> secret_texts{secrets[0]};
  secret_texts.insert(secret_texts.end(), recovery.begin(), recovery.end());
  for (const char* name : {"gateway", "dispatcher", "scheduler", "notifier"}) {
    const std::string text = stack.log(name);
    for (const auto& secret : secret_texts) {
      CAPTURE(name, secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("a signed-in user enrols a second factor themselves, and from then on signs in with it",
          "[e2e][auth][totp]") {
  Stack stack{with_second_factor()};
  stack.admin("add-user --id mgr7 --role manager --region eemland --password-stdin", std::string(Stack::kPassword) + "\n");
  // A manager's role does not need one: the password is enough until they enrol.
  const auto session = stack.sign_in("mgr7");

  auto offered = session.post("/api/v1/session/totp", json::object());
  REQUIRE(offered.status == 200);
  const std::string secret = offered.json()["secret"];
  CHECK(offered.json()["otpauth_uri"].get<std::string>().find("secret=" + secret) != std::string::npos);
  CHECK(offered.headers.at("cache-control") == "no-store");
  // Not yet in force: the password alone still signs in.
  CHECK(sign_in(stack, {{"user", "mgr7"}}).status == 201);

  auto wrong = session.post("/api/v1/session/totp/confirm", {{"otp", "abc"}});
  CHECK(wrong.status == 400);
  CHECK(wrong.json()["error"]["field"] == "otp");
  CHECK(session.post("/api/v1/session/totp/confirm", json::object()).json()["error"]["field"] == "otp");
  auto confirmed = session.post("/api/v1/session/totp/confirm", {{"otp", code_at(secret, stack.now())}});
  REQUIRE(confirmed.status == 200);
  CHECK(confirmed.json()["recovery_codes"].size() == 10);
  CHECK(session.post("/api/v1/session/totp", json::object()).status == 409);  // one at a time

  CHECK(sign_in(stack, {{"user", "mgr7"}}).status == 401);
  stack.advance(30s);  // the confirming code is spent
  CHECK(sign_in(stack, {{"user", "mgr7"}, {"otp", code_at(secret, stack.now())}}).status == 201);
  // An API client has no sign-in to protect.
  stack.admin("add-client --id police-channel");
  const std::string token = stack.new_token("police-channel", "--scope reports:create");
  CHECK(piket::test::http("POST", stack.url("/api/v1/session/totp"), "{}",
                          {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}})
            .status == 403);
}
