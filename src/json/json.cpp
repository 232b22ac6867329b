#include "json/json.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

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
    case Type::number:
      return fmt::format("{}", std::get<double>(v_));
    case Type::string: {
      const std::string& s = as_string();
      if (s.size() > 40) return "\"" + s.substr(0, 37) + "...\"";
      return "\"" + s + "\"";
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
// time_step_limit). simdjson, being strict, rejects them, so they are rewritten to `null` outside strings.
std::string replace_nonstandard_literals(std::string_view text, int& count) {
  std::string out;
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
    out.append(text.substr(copied, i - copied));
    out.append("null");
    copied = i + len;
    i += len - 1;
    ++count;
  }
  if (count == 0) return {};
  out.append(text.substr(copied));
  return out;
}

Result<Value> convert(simdjson::dom::element el, std::size_t depth, std::string_view file) {
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
    case simdjson::dom::element_type::STRING:
      return Value(std::string(el.get_string().value_unsafe()));
    case simdjson::dom::element_type::ARRAY: {
      Array arr;
      simdjson::dom::array a = el.get_array().value_unsafe();
      arr.reserve(a.size());
      for (simdjson::dom::element child : a) {
        auto v = convert(child, depth + 1, file);
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
        auto v = convert(field.value, depth + 1, file);
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
  Document doc;
  std::string rewritten = replace_nonstandard_literals(text, doc.nonstandard_literals);
  if (doc.nonstandard_literals > 0) text = rewritten;
  // One parser per thread, reused: its buffers grow to the largest document seen (bounded by the callers'
  // limits).
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto err = parser.allocate(std::max<std::size_t>(text.size(), 64), kMaxDepth + 1);
  if (!err) err = parser.parse(padded).get(root);
  if (err) {
    return make_error(ErrorCode::bad_input, std::string(file), "", "valid JSON",
                      text.empty() ? "an empty file" : "invalid JSON", simdjson::error_message(err));
  }
  auto v = convert(root, 0, file);
  if (!v) return v.error();
  doc.root = std::move(*v);
  return doc;
}

Result<std::string> read_file_bounded(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    return make_error(ErrorCode::not_found, path, "", "", "", "no such file");
  if (std::filesystem::is_directory(status))
    return make_error(ErrorCode::io, path, "", "a file", "a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f)
    return make_error(ErrorCode::io, path, "", "", "", std::string("cannot open: ") + std::strerror(errno));
  std::string out;
  char buf[1 << 16];
  while (true) {
    std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    if (n > 0) {
      if (out.size() + n > max_bytes)
        return make_error(ErrorCode::bad_input, path, "",
                          fmt::format("a file of at most {} bytes", max_bytes), "a larger file");
      out.append(buf, n);
    }
    if (n < sizeof buf) {
      if (std::ferror(f.get()))
        return make_error(ErrorCode::io, path, "", "", "",
                          std::string("read failed: ") + std::strerror(errno));
      break;
    }
  }
  return out;
}

Result<Document> parse_file(const std::string& path, std::size_t max_bytes) {
  auto text = read_file_bounded(path, max_bytes);
  if (!text) return text.error();
  return parse(*text, path);
}

}  // namespace kvspec::json
