// Identity and access, the pure parts: passwords, secrets, principals in envelopes, the access
// table, the dispatcher's need-to-know decision and what the gateway reads from a request.
#include <catch.hpp>

#include <algorithm>
#include <set>

#include "common/auth/access.hpp"
#include "common/auth/credentials.hpp"
#include "common/envelope.hpp"
#include "dispatcher/access/report_access.hpp"
#include "gateway/api/router.hpp"
#include "gateway/auth/request_auth.hpp"

namespace auth = piket::auth;
using piket::dispatcher::ReportAccess;
using piket::dispatcher::ReportAction;
using piket::dispatcher::ReportFacts;

namespace {
auth::Principal user(std::vector<std::string> roles) {
  auth::Principal p;
  p.id = "u-1";
  p.roles = std::move(roles);
  return p;
}
}  // namespace

TEST_CASE("a password that is short, common or the user's id is refused with the reason",
          "[unit][auth]") {
  const auth::PasswordPolicy policy{12};
  CHECK(auth::password_problem("short-1", "anna", policy)->find("too short") != std::string::npos);
  CHECK(auth::password_problem("Wachtwoord123", "anna", policy)->find("common") != std::string::npos);
  CHECK(auth::password_problem("anna.dekker1", "anna.dekker", policy)->find("id") != std::string::npos);
  CHECK(auth::password_problem(std::string(2000, 'x'), "anna", policy)->find("too long") != std::string::npos);
  CHECK_FALSE(auth::password_problem("correct-horse-battery-9", "anna", policy));
  // Characters, not bytes: twelve letters with accents are long enough.
  CHECK_FALSE(auth::password_problem("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "anna", policy));
}

TEST_CASE("a password hashed with argon2id verifies, a wrong one does not, and other parameters ask for a rehash",
          "[unit][auth]") {
  const auth::PasswordCost cheap{1, 8192 * 1024};
  auto hash = auth::hash_password("correct-horse-battery-9", cheap);
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(hash->find("correct-horse") == std::string::npos);
  CHECK(auth::verify_password(*hash, "correct-horse-battery-9"));
  CHECK_FALSE(auth::verify_password(*hash, "correct-horse-battery-8"));
  CHECK_FALSE(auth::verify_password("", "anything"));
  CHECK_FALSE(auth::password_needs_rehash(*hash, cheap));
  CHECK(auth::password_needs_rehash(*hash, auth::PasswordCost{2, 8192 * 1024}));
  // The same password twice gives two hashes (a salt each).
  CHECK(*auth::hash_password("correct-horse-battery-9", cheap) != *hash);
}

TEST_CASE("a session or token secret is handed out as id.secret and only its hash is kept", "[unit][auth]") {
  const auto issued = auth::issue_secret("t");
  CHECK(issued.id.rfind("t", 0) == 0);
  CHECK(issued.secret.size() == 40);
  auto parsed = auth::parse_secret(issued.text());
  REQUIRE(parsed);
  CHECK(parsed->id == issued.id);
  CHECK(parsed->secret == issued.secret);
  CHECK(auth::secret_hash(issued.secret).size() == 64);
  CHECK(auth::secret_hash(issued.secret).find(issued.secret) == std::string::npos);
  CHECK(auth::same_hash(auth::secret_hash(issued.secret), auth::secret_hash(issued.secret)));
  CHECK_FALSE(auth::same_hash(auth::secret_hash(issued.secret), auth::secret_hash("other")));
  for (const char* bad : {"", "no-dot", ".abc", "id.short", "id.with space in the secret part 1234567"})
    CHECK_FALSE(auth::parse_secret(bad));
}

TEST_CASE("the principal travels in the envelope beside the body and comes back the same", "[unit][auth]") {
  piket::Envelope e;
  e.type = "report.get";
  e.id = "q1";
  e.body = {{"id", "r1"}, {"principal", "forged"}};
  auth::Principal p = user({"worker"});
  p.worker = "w-em-02";
  p.session = "s123";
  e.principal = p;
  auto back = piket::decode_envelope(piket::encode_envelope(e));
  REQUIRE(back.ok());
  REQUIRE(back->principal);
  CHECK(back->principal->id == "u-1");
  CHECK(back->principal->roles == std::vector<std::string>{"worker"});
  CHECK(back->principal->worker == "w-em-02");
  CHECK(back->principal->session == "s123");
  CHECK(back->body["principal"] == "forged");  // just a body field: nobody reads it
  e.principal.reset();
  auto none = piket::decode_envelope(piket::encode_envelope(e));
  REQUIRE(none.ok());
  CHECK_FALSE(none->principal);
  auto bad = piket::decode_envelope(R"({"v":1,"type":"x","id":"1","sent_at":"2026-01-01T00:00:00Z","principal":{"kind":"god","id":"x"}})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().field == "principal.kind");
}

TEST_CASE("every request the gateway forwards has a row in the access table, and no other needs a principal",
          "[unit][auth]") {
  for (const auto& request : piket::gateway::forwarded_requests()) {
    CAPTURE(request);
    CHECK((auth::access_rule(request) != nullptr || auth::is_public_request(request)));
    CHECK_FALSE(auth::is_internal_request(request));
  }
  for (const auto& rule : auth::access_rules()) CHECK(rule.roles.size() == auth::known_roles().size());
}

TEST_CASE("the gate refuses a request without a principal and one no role or scope of it may make",
          "[unit][auth]") {
  CHECK(auth::gate(nullptr, "report.get").error().code == piket::ErrorCode::unauthenticated);
  CHECK(auth::gate(nullptr, "oncall.query_many").ok());  // between daemons
  CHECK(auth::gate(nullptr, "roster.ical.feed").ok());   // the URL is the secret
  const auto officer = user({"privacy_officer"});
  CHECK(auth::gate(&officer, "report.get").error().code == piket::ErrorCode::forbidden);
  CHECK(auth::gate(&officer, "audit.verify").ok());
  const auto worker_and_lead = user({"worker", "team_lead"});
  CHECK(auth::grant_for(worker_and_lead, "roster.swap.approve") == auth::Grant::own);
  CHECK(auth::grant_for(worker_and_lead, "roster.coverage") == auth::Grant::allowed);
  CHECK(auth::grant_for(worker_and_lead, "report.submit") == auth::Grant::refused);
  auth::Principal police;
  police.kind = auth::PrincipalKind::client;
  police.id = "police";
  police.scopes = {"reports:create"};
  CHECK(auth::gate(&police, "report.submit").ok());
  CHECK(auth::gate(&police, "report.get").error().code == piket::ErrorCode::forbidden);
  CHECK(auth::gate(&police, "oncall.query").error().code == piket::ErrorCode::forbidden);
  // A client holds no roles, whatever its record says.
  police.roles = {"operator"};
  CHECK(auth::gate(&police, "report.get").error().code == piket::ErrorCode::forbidden);
}

TEST_CASE("need to know: the desk of the region sees a report, a worker only while it is theirs",
          "[unit][auth]") {
  ReportFacts facts;
  facts.exists = true;
  facts.region = "eemland";
  facts.state = "alerting";
  facts.assignments = {{"r1-1", "w-em-02", "accepted"}, {"r1-2", "w-em-03", "declined"}, {"r1-3", "w-em-04", "alerted"}};
  facts.visit_workers = {"w-em-02"};
  auto op = user({"operator"});
  op.regions = {"eemland"};
  auto other_desk = user({"operator"});
  other_desk.regions = {"utrecht-stad"};
  auto national = user({"operator"});
  national.regions = {"*"};
  auto worker = [](const std::string& id) {
    auto p = user({"worker"});
    p.worker = id;
    return p;
  };
  struct Case {
    const char* what;
    auth::Principal who;
    ReportAction action;
    std::string assignment;
    ReportAccess expected;
  };
  const std::vector<Case> cases{
      {"desk of the region reads", op, ReportAction::read, "", ReportAccess::desk},
      {"national desk reads", national, ReportAction::read, "", ReportAccess::desk},
      {"another region's desk", other_desk, ReportAction::read, "", ReportAccess::refused},
      {"desk changes triage", op, ReportAction::desk_change, "", ReportAccess::desk},
      {"desk cannot accept for a worker", op, ReportAction::answer, "r1-1", ReportAccess::refused},
      {"desk cannot check in for a worker", op, ReportAction::checkin, "", ReportAccess::refused},
      {"accepted worker reads", worker("w-em-02"), ReportAction::read, "", ReportAccess::own},
      {"alerted worker reads", worker("w-em-04"), ReportAction::read, "", ReportAccess::own},
      {"declined worker no longer reads", worker("w-em-03"), ReportAction::read, "", ReportAccess::refused},
      {"unrelated worker", worker("w-ut-01"), ReportAction::read, "", ReportAccess::refused},
      {"worker answers their own", worker("w-em-04"), ReportAction::answer, "r1-3", ReportAccess::own},
      {"worker answers another's", worker("w-em-04"), ReportAction::answer, "r1-1", ReportAccess::refused},
      {"worker on the visit checks in", worker("w-em-02"), ReportAction::checkin, "", ReportAccess::own},
      {"alerted worker not on the visit", worker("w-em-04"), ReportAction::checkin, "", ReportAccess::refused},
      {"accepted worker records the outcome", worker("w-em-02"), ReportAction::outcome, "", ReportAccess::own},
      {"alerted worker does not", worker("w-em-04"), ReportAction::outcome, "", ReportAccess::refused},
      {"worker never changes triage", worker("w-em-02"), ReportAction::desk_change, "", ReportAccess::refused},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    CHECK(piket::dispatcher::decide_report_access(c.who, facts, c.action, c.assignment) == c.expected);
  }
  CHECK(piket::dispatcher::decide_report_access(op, ReportFacts{}, ReportAction::read) == ReportAccess::refused);
  // An advice contact has no region: only a desk for every region sees it.
  ReportFacts advice;
  advice.exists = true;
  advice.kind = "advice";
  CHECK(piket::dispatcher::decide_report_access(op, advice, ReportAction::read) == ReportAccess::refused);
  CHECK(piket::dispatcher::decide_report_access(national, advice, ReportAction::read) == ReportAccess::desk);
}

TEST_CASE("the gateway reads a bearer token or the session cookie, and sets a strict cookie", "[unit][auth]") {
  piket::gateway::HttpRequest r;
  r.headers["authorization"] = "Bearer t123.abc";
  r.headers["cookie"] = "theme=dark; piket_session=s1.secret; lang=nl";
  auto c = piket::gateway::request_credentials(r);
  CHECK(c.bearer == "t123.abc");
  CHECK(c.session == "s1.secret");
  CHECK_FALSE(c.malformed_authorization);
  r.headers["authorization"] = "Basic dXNlcjpwYXNz";
  CHECK(piket::gateway::request_credentials(r).malformed_authorization);
  CHECK(piket::gateway::client_address("192.0.2.7:51234") == "192.0.2.7");
  CHECK(piket::gateway::client_address("[2001:db8::1]:443") == "[2001:db8::1]");
  const std::string cookie = piket::gateway::session_cookie("s1.secret", std::chrono::seconds(3600), true);
  for (const char* part : {"piket_session=s1.secret", "HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=3600"})
    CHECK(cookie.find(part) != std::string::npos);
  CHECK(piket::gateway::session_cookie("v", std::chrono::seconds(1), false).find("Secure") == std::string::npos);
  CHECK(piket::gateway::changes_state("DELETE"));
  CHECK_FALSE(piket::gateway::changes_state("GET"));
}
