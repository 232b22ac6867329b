#include "json/json.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "util/file_kind.hpp"

namespace kvspec::json {

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const Object& obj = as_object();
  for (auto it = obj.rbegin(); it != obj.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

std::string Value::describe() const {
  switch (type()) {
    case Type::null:
      return "null";
    case Type::boolean:
      return as_bool() ? "true" : "false";
    case Type::integer:
      return std::to_string(as_int());
    case Type::number: {
      double d = std::get<double>(v_);
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      return fmt::format("{}", d);
    }
    case Type::string: {
      const std::string& s = as_string();
      if (s.size() <= 40) return "\"" + s + "\"";
      std::size_t cut = 37;  // back up to a UTF-8 character boundary, so messages stay valid UTF-8
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      return "\"" + s.substr(0, cut) + "...\"";
    }
    case Type::array:
      return fmt::format("an array of {} items", as_array().size());
    case Type::object:
      return "an object";
  }
  return "?";
}

namespace {

// Python's json module writes NaN, Infinity and -Infinity, and real configs carry them (e.g. Mamba's
// time_step_limit). simdjson, being strict, rejects them, so outside strings they are rewritten to strings
// that start with a run of NUL characters, which convert() turns back into the doubles. The run is one longer
// than any run of \u0000 escapes in the document, so no string the file itself holds can be mistaken for one
// (a file string "\u0000NaN" stays a string).
struct Literals {
  std::size_t nuls = 0;  // the sentinel's NUL run; 0: nothing was rewritten
};

std::size_t longest_nul_escape_run(std::string_view text) {
  constexpr std::string_view kNul = "\\u0000";
  std::size_t best = 0, run = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, kNul.size(), kNul) == 0) {
      best = std::max(best, ++run);
      i += kNul.size();
    } else {
      run = 0;
      ++i;
    }
  }
  return best;
}

std::optional<double> nonstandard_double(std::string_view s, const Literals& lit) {
  if (lit.nuls == 0 || s.size() <= lit.nuls) return std::nullopt;
  for (std::size_t i = 0; i < lit.nuls; ++i)
    if (s[i] != '\0') return std::nullopt;
  s.remove_prefix(lit.nuls);
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// An upper bound of the values in `text` (commas plus opening brackets, outside strings), so a document with
// too many values is refused before simdjson fills its tape.
std::size_t value_bound(std::string_view text) {
  std::size_t n = 1;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == ',' || c == '[' || c == '{') {
      ++n;
    }
  }
  return n;
}
std::string replace_nonstandard_literals(std::string_view text, int& count, Literals& lit) {
  std::string out;
  std::string prefix;  // built on the first literal found: most documents have none
  bool in_string = false;
  std::size_t copied = 0;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    std::size_t len = 0;
    if (text.compare(i, 3, "NaN") == 0)
      len = 3;
    else if (text.compare(i, 8, "Infinity") == 0)
      len = 8;
    else if (text.compare(i, 9, "-Infinity") == 0)
      len = 9;
    if (len == 0) continue;
    if (i > 0 && is_word(text[i - 1])) continue;
    if (i + len < text.size() && is_word(text[i + len])) continue;
    if (prefix.empty()) {
      lit.nuls = longest_nul_escape_run(text) + 1;
      prefix = "\"";
      for (std::size_t k = 0; k < lit.nuls; ++k) prefix += "\\u0000";
    }
    out.append(text.substr(copied, i - copied));
    out.append(prefix);
    out.append(text.substr(i, len));
    out.push_back('"');
    copied = i + len;
    i += len - 1;
    ++count;
  }
  if (count == 0) return {};
  out.append(text.substr(copied));
  return out;
}

Result<Value> convert(simdjson::dom::element el, std::size_t depth, std::string_view file,
                      const Literals& lit) {
  if (depth > kMaxDepth)
    return make_error(ErrorCode::bad_input, std::string(file), "",
                      fmt::format("JSON nested at most {} deep", kMaxDepth), "deeper nesting");
  switch (el.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return Value();
    case simdjson::dom::element_type::BOOL:
      return Value(el.get_bool().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return Value(el.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: {
      // Above INT64_MAX: keep as a number so validation can say "too large" instead of wrapping.
      return Value(static_cast<double>(el.get_uint64().value_unsafe()));
    }
    case simdjson::dom::element_type::DOUBLE:
      return Value(el.get_double().value_unsafe());
    case simdjson::dom::element_type::STRING: {
      std::string_view str = el.get_string().value_unsafe();
      if (auto d = nonstandard_double(str, lit)) return Value(*d);
      return Value(std::string(str));
    }
    case simdjson::dom::element_type::ARRAY: {
      Array arr;
      simdjson::dom::array a = el.get_array().value_unsafe();
      arr.reserve(a.size());
      for (simdjson::dom::element child : a) {
        auto v = convert(child, depth + 1, file, lit);
        if (!v) return v.error();
        arr.push_back(std::move(*v));
      }
      return Value(std::move(arr));
    }
    case simdjson::dom::element_type::OBJECT: {
      Object obj;
      simdjson::dom::object o = el.get_object().value_unsafe();
      obj.reserve(o.size());
      for (auto field : o) {
        auto v = convert(field.value, depth + 1, file, lit);
        if (!v) return v.error();
        obj.emplace_back(std::string(field.key), std::move(*v));
      }
      return Value(std::move(obj));
    }
  }
  return Value();
}

}  // namespace

Result<Document> parse(std::string_view text, std::string_view file) {
  if (std::size_t n = value_bound(text); n > kMaxValues)
    return make_error(ErrorCode::bad_input, std::string(file), "",
                      fmt::format("a JSON document of at most {} values", kMaxValues),
                      fmt::format("up to {} values", n), "a config.json holds a few hundred");
  Document doc;
  Literals lit;
  std::string rewritten = replace_nonstandard_literals(text, doc.nonstandard_literals, lit);
  if (doc.nonstandard_literals > 0) text = rewritten;
  // One parser per thread, reused: its buffers grow to the largest document seen (bounded by the callers'
  // limits).
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto err = padded.data() == nullptr
                 ? simdjson::MEMALLOC  // padded_string allocates with nothrow new
                 : parser.allocate(std::max<std::size_t>(text.size(), 64), kMaxDepth + 1);
  if (!err) err = parser.parse(padded).get(root);
  if (err == simdjson::MEMALLOC)  // kvspec's failure (exit 1), not the file's
    return make_error(ErrorCode::internal, std::string(file), "", "", "", "out of memory");
  if (err) {
    return make_error(ErrorCode::bad_input, std::string(file), "", "valid JSON",
                      text.empty() ? "an empty file" : "invalid JSON", simdjson::error_message(err));
  }
  auto v = convert(root, 0, file, lit);
  if (!v) return v.error();
  doc.root = std::move(*v);
  return doc;
}

Result<std::string> read_file_bounded(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer returns at once (and is then refused) instead of blocking
  // forever.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return make_error(ErrorCode::not_found, path, "", "", "", "no such file");
    return make_error(ErrorCode::io, path, "", "", "", std::string("cannot open: ") + std::strerror(e));
  }
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* p) { ::close(*p); });
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return make_error(ErrorCode::io, path, "", "", "", std::string("cannot stat: ") + std::strerror(errno));
  // Only regular files: a device (/dev/zero, a tty) or a pipe has no end or may block.
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::io, path, "", "a regular file", std::string(describe_file_mode(st.st_mode)));
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return make_error(ErrorCode::bad_input, path, "", fmt::format("a file of at most {} bytes", max_bytes),
                      fmt::format("{} bytes", st.st_size));
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::io, path, "", "", "", std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    // The size can change under us (a file still being written): the bound holds whatever fstat said.
    if (out.size() + static_cast<std::size_t>(n) > max_bytes)
      return make_error(ErrorCode::bad_input, path, "", fmt::format("a file of at most {} bytes", max_bytes),
                        "a larger file");
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<Document> parse_file(const std::string& path, std::size_t max_bytes) {
  auto text = read_file_bounded(path, max_bytes);
  if (!text) return text.error();
  return parse(*text, path);
}

}  // namespace kvspec::json
