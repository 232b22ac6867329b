#include "kvspec/error.hpp"

#include "kvspec/escape.hpp"

namespace kvspec {

std::string Error::message() const {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!field.empty()) out += "field '" + field + "': ";
  if (!expected.empty()) {
    out += "expected " + expected;
    if (!found.empty()) out += ", found " + found;
  } else if (!found.empty()) {
    out += "found " + found;
  }
  if (!detail.empty()) {
    if (!expected.empty() || !found.empty())
      out += " (" + detail + ")";
    else
      out += detail;
  }
  if (out.empty()) out = "unknown error";
  // Paths, found values and details carry text from the model's files: never raw control characters.
  return escape_for_terminal(out);
}

Error make_error(ErrorCode code, std::string file, std::string field, std::string expected, std::string found,
                 std::string detail) {
  return Error{
      code, std::move(file), std::move(field), std::move(expected), std::move(found), std::move(detail)};
}

}  // namespace kvspec
