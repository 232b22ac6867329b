// Errors as values: every failure names the file, the field, what was expected and what was found.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace kvspec {

enum class ErrorCode {
  bad_input,  // the model's files are malformed or inconsistent (CLI exit 2)
  not_found,  // a path, repo id or file does not exist (CLI exit 2)
  io,         // a file exists but cannot be read (CLI exit 2)
  usage,      // the caller asked for something invalid (CLI exit 2)
  internal,   // a bug in kvspec (CLI exit 1)
};

struct Error {
  ErrorCode code = ErrorCode::bad_input;
  std::string file;      // path of the file at fault, if any
  std::string field;     // dotted path of the field at fault, e.g. "text_config.num_hidden_layers"
  std::string expected;  // what a valid value looks like
  std::string found;     // what was there instead
  std::string detail;    // anything else worth saying

  // One line: "FILE: field FIELD: expected EXPECTED, found FOUND (DETAIL)", omitting empty parts; control
  // characters, bidi controls and invalid UTF-8 from the files shown escaped (\x1b, \u202e), never raw.
  [[nodiscard]] std::string message() const;
};

// Builds the common case in one call.
Error make_error(ErrorCode code, std::string file, std::string field, std::string expected, std::string found,
                 std::string detail = {});

// A value or an Error. Deliberately small: construct from either, test with `if (r)`, then `*r` or
// `r.error()`.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(value()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace kvspec
