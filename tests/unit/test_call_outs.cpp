// Call-outs as the dispatcher records them ("worker|assignment|end_ms", scored by the start).
#include <catch.hpp>

#include "common/domain/call_outs.hpp"

TEST_CASE("a recorded call-out is read back with its worker and its work", "[unit][working_time]") {
  auto c = piket::parse_call_out("w-em-01|r-1-2|1796216400000", 1796212800000);
  REQUIRE(c);
  CHECK(c->worker_id == "w-em-01");
  CHECK(c->assignment_id == "r-1-2");
  CHECK(piket::to_unix_ms(c->work.start) == 1796212800000);
  CHECK(piket::to_unix_ms(c->work.end) == 1796216400000);
}

TEST_CASE("a malformed call-out member is skipped, not guessed", "[unit][working_time]") {
  CHECK_FALSE(piket::parse_call_out("w-em-01", 1));
  CHECK_FALSE(piket::parse_call_out("w-em-01|5000", 1));          // no assignment
  CHECK_FALSE(piket::parse_call_out("|r-1|5000", 1));             // no worker
  CHECK_FALSE(piket::parse_call_out("w-1|r-1|12x", 1));           // not a number
  CHECK_FALSE(piket::parse_call_out("w-1|r-1|1000", 2000));       // ends before it starts
}

TEST_CASE("call-outs are grouped by worker from a ZRANGE WITHSCORES reply", "[unit][working_time]") {
  piket::redis::Value reply;
  reply.kind = piket::redis::Value::Kind::array;
  auto text = [](std::string s) {
    piket::redis::Value v;
    v.kind = piket::redis::Value::Kind::string;
    v.str = std::move(s);
    return v;
  };
  reply.elements = {text("w-1|a|3000"), text("1000"), text("bad"), text("1500"),
                    text("w-2|b|5000"), text("2000"), text("w-1|c|9000"), text("8000")};
  const auto by = piket::call_outs_by_worker(reply);
  REQUIRE(by.size() == 2);
  CHECK(by.at("w-1").size() == 2);
  CHECK(by.at("w-2").size() == 1);
  CHECK(piket::to_unix_ms(by.at("w-1")[1].start) == 8000);
}
