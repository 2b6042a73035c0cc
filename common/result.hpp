#pragma once
// One error type for every request and message: a stable code, the field at fault, and why.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace piket {

enum class ErrorCode {
  invalid_field,
  invalid_json,
  unknown_region,
  unavailable,
  conflict,
  not_found,
  forbidden,
  too_large,
  internal,
  unauthenticated,    // no valid session or token: 401
  too_many_requests,  // locked out for a while: 429 with Retry-After
};

// Stable names: the API returns these, clients may switch on them.
std::string_view error_code_name(ErrorCode code);
std::optional<ErrorCode> error_code_from_name(std::string_view name);
// The HTTP status that matches a code at the gateway.
int http_status_for(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string field;  // empty when no single field is at fault
  std::string message;

  std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string field, std::string message) {
  return Error{code, std::move(field), std::move(message)};
}

// Bad input, naming the field and the reason: the most common error of all.
inline Error invalid(std::string field, std::string message) {
  return make_error(ErrorCode::invalid_field, std::move(field), std::move(message));
}

template <typename T>
class Result {
 public:
  // Empty results exist only because Asio default-constructs a value when a coroutine throws.
  Result() : data_(Error{ErrorCode::internal, "", "no result"}) {}
  Result(T value) : data_(std::move(value)) {}
  Result(Error error) : data_(std::move(error)) {}

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace piket
