// Any bytes → escape_for_terminal, escape_report_lines, json_escape and Error::message: nothing a terminal
// acts on comes out raw, the terminal escape is unambiguous (it decodes back to the input), and the JSON form
// parses (back to the input when that is valid UTF-8).
#include <string>

#include <fmt/format.h>

#include "json/json.hpp"
#include "kvspec/error.hpp"
#include "kvspec/escape.hpp"
#include "report/json_writer.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

namespace {

// Valid UTF-8 with no hidden character, except '\n' when `newlines`.
void check_safe(const std::string& s, bool newlines) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, cp);
    KVSPEC_FUZZ_CHECK(n > 0, fmt::format("invalid UTF-8 at {}", i));
    KVSPEC_FUZZ_CHECK(!hidden_code_point(cp) || (newlines && cp == '\n'), fmt::format("U+{:04X} raw", +cp));
    i += n;
  }
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  fail(__FILE__, __LINE__, "hex digit", std::string(1, c));
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The inverse of escape_for_terminal: \\, \n, \r, \t, \xNN (a byte), \uNNNN (a BMP code point), \UNNNNNNNN.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    KVSPEC_FUZZ_CHECK(i + 1 < s.size(), "a lone trailing backslash");
    const char k = s[++i];
    if (k == '\\' || k == 'n' || k == 'r' || k == 't') {
      out.push_back(k == 'n' ? '\n' : k == 'r' ? '\r' : k == 't' ? '\t' : '\\');
    } else if (k == 'x') {
      KVSPEC_FUZZ_CHECK(i + 2 < s.size());
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      const std::size_t digits = k == 'U' ? 8 : 4;
      KVSPEC_FUZZ_CHECK((k == 'u' || k == 'U') && i + digits < s.size(), std::string(1, k));
      char32_t cp = 0;
      for (std::size_t d = 1; d <= digits; ++d) cp = cp * 16 + static_cast<char32_t>(hex(s[i + d]));
      append_utf8(out, cp);
      i += digits;
    }
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace

void escape_one(std::string_view bytes) {
  const std::string shown = escape_for_terminal(bytes);
  check_safe(shown, false);
  KVSPEC_FUZZ_CHECK(unescape(shown) == bytes, "the escape does not decode back to the input");
  check_safe(escape_report_lines(bytes), true);
  check_safe(make_error(ErrorCode::bad_input, std::string(bytes), "f", "x", std::string(bytes)).message(),
             false);

  const std::string js = json_escape(bytes);
  check_safe(js, false);
  auto doc = json::parse("[" + js + "]", "fuzz.json");
  KVSPEC_FUZZ_CHECK(doc.ok(), doc ? std::string() : doc.error().message());
  KVSPEC_FUZZ_CHECK(doc->root.is_array() && doc->root.as_array().size() == 1);
  const json::Value& str = doc->root.as_array()[0];
  KVSPEC_FUZZ_CHECK(str.is_string());
  if (valid_utf8(bytes)) KVSPEC_FUZZ_CHECK(str.as_string() == bytes, "JSON does not round-trip valid UTF-8");
}

}  // namespace kvspec::fuzz
