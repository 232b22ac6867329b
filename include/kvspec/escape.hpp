// Text that came from a model's files (model_type, dtypes, quantization methods, GGUF architectures and keys,
// tensor and file names, ref contents) made safe to show a human: one classification of the characters a
// terminal would act on or that would make text read differently from what it is, used by every text report,
// every error message (Error::message) and the JSON writer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kvspec {

// The valid UTF-8 sequence at s[i]: its length (1-4) and code point, or 0 when the bytes there are not one
// (a stray continuation byte, a truncated or overlong sequence, a surrogate, past U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& code_point);

// Characters never shown raw: C0 controls (ESC, BEL, NUL, newline ...), DEL, C1 controls (U+0080-U+009F),
// the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E,
// U+2066-U+2069), the line and paragraph separators U+2028-U+2029, and invisible characters that make names
// look alike or hide text (soft hyphen, zero-width space / joiners, word joiner, BOM, Hangul fillers, tag
// characters U+E0000-U+E007F, ...).
bool hidden_code_point(char32_t c);

// One line of text safe for a terminal: hidden characters as \n, \r, \t, \xNN (other C0 and DEL), \uNNNN
// (C1, bidi controls, separators, invisible characters) or \UNNNNNNNN (past U+FFFF), each byte of invalid
// UTF-8 as \xNN, a backslash as \\ (so an escape is never ambiguous); all other text, printable Unicode
// included (e.g. Chinese model names), as it is.
std::string escape_for_terminal(std::string_view s);

// A whole report whose file-derived fields went through escape_for_terminal: the same escapes, but its line
// breaks kept and backslashes left alone, so a field that was already escaped is unchanged. A second line of
// defense: a field a report forgot to escape still cannot reach the terminal's control sequences.
std::string escape_report_lines(std::string_view text);

}  // namespace kvspec
