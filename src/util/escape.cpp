#include "kvspec/escape.hpp"

#include <fmt/format.h>

namespace kvspec {

std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& code_point) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    code_point = b0;
    return 1;
  }
  std::size_t n = 0;
  char32_t min = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (n > s.size() - i) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  code_point = cp;
  return n;
}

bool hidden_code_point(char32_t c) {
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) return true;  // C0, DEL, C1
  if (c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
      (c >= 0x2066 && c <= 0x2069))
    return true;  // bidi marks, embeddings, overrides, isolates; line and paragraph separators
  // Invisible characters that make two names look alike or hide text: soft hyphen, Mongolian vowel
  // separator, zero-width space / non-joiner / joiner, word joiner and invisible operators, BOM (zero-width
  // no-break space), Hangul fillers, interlinear annotation controls, and the tag characters
  // (U+E0000-U+E007F, which can carry invisible ASCII).
  return c == 0x00AD || c == 0x180E || (c >= 0x200B && c <= 0x200D) || (c >= 0x2060 && c <= 0x2064) ||
         c == 0xFEFF || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 ||
         (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0xE0000 && c <= 0xE007F);
}

namespace {

std::string escape(std::string_view s, bool keep_lines) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, cp);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (cp == '\\' && !keep_lines) {
      out += "\\\\";
    } else if (cp == '\n') {
      out += keep_lines ? "\n" : "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (hidden_code_point(cp)) {
      // \UNNNNNNNN past the BMP, so the digits that follow an escape are never read as part of it.
      out += cp < 0x80     ? fmt::format("\\x{:02x}", static_cast<unsigned>(cp))
             : cp > 0xFFFF ? fmt::format("\\U{:08x}", static_cast<unsigned>(cp))
                           : fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace

std::string escape_for_terminal(std::string_view s) {
  return escape(s, false);
}

std::string escape_report_lines(std::string_view text) {
  return escape(text, true);
}

}  // namespace kvspec
