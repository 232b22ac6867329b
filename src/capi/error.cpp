// Errors, strings and the version (kvspec/kvspec.h).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "capi/capi.hpp"

namespace {

// Handed out when even the error cannot be allocated; kvspec_error_free leaves it alone. "out of memory"
// fits std::string's inline buffer, so building it allocates nothing.
kvspec_error g_out_of_memory{KVSPEC_ERROR_OUT_OF_MEMORY, {}, "out of memory"};

kvspec_code code_of(kvspec::ErrorCode code) {
  switch (code) {
    case kvspec::ErrorCode::bad_input:
      return KVSPEC_ERROR_BAD_INPUT;
    case kvspec::ErrorCode::not_found:
      return KVSPEC_ERROR_NOT_FOUND;
    case kvspec::ErrorCode::io:
      return KVSPEC_ERROR_IO;
    case kvspec::ErrorCode::usage:
      return KVSPEC_ERROR_USAGE;
    case kvspec::ErrorCode::internal:
      return KVSPEC_ERROR_INTERNAL;
  }
  return KVSPEC_ERROR_INTERNAL;
}

}  // namespace

namespace kvspec::capi {

Error usage_error(std::string field, std::string expected, std::string found) {
  return make_error(ErrorCode::usage, "", std::move(field), std::move(expected), std::move(found));
}

void set_out_of_memory(kvspec_error** err) noexcept {
  if (err != nullptr) *err = &g_out_of_memory;
}

void set_error(kvspec_error** err, const Error& error) noexcept {
  if (err == nullptr) return;
  try {
    auto* e = new kvspec_error{code_of(error.code), error, {}};
    // As the Python module does for its keywords: "--kv-dtype" -> "kv_dtype", the options struct's field.
    if (e->error.code == ErrorCode::usage && e->error.field.starts_with("--")) {
      e->error.field.erase(0, 2);
      std::replace(e->error.field.begin(), e->error.field.end(), '-', '_');
    }
    try {
      e->message = e->error.message();
    } catch (...) {
      delete e;
      throw;
    }
    *err = e;
  } catch (...) {
    *err = &g_out_of_memory;
  }
}

void set_internal(kvspec_error** err, const char* what) noexcept {
  try {
    set_error(err, make_error(ErrorCode::internal, "", "", "", "",
                              what != nullptr ? std::string("internal error: ") + what : "internal error"));
  } catch (...) {
    set_out_of_memory(err);
  }
}

char* malloc_copy(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

}  // namespace kvspec::capi

extern "C" {

const char* kvspec_version(void) {
  return KVSPEC_VERSION;
}

const char* kvspec_code_name(kvspec_code code) {
  switch (code) {
    case KVSPEC_OK:
      return "ok";
    case KVSPEC_ERROR_BAD_INPUT:
      return "bad_input";
    case KVSPEC_ERROR_NOT_FOUND:
      return "not_found";
    case KVSPEC_ERROR_IO:
      return "io";
    case KVSPEC_ERROR_USAGE:
      return "usage";
    case KVSPEC_ERROR_INTERNAL:
      return "internal";
    case KVSPEC_ERROR_OUT_OF_MEMORY:
      return "out_of_memory";
  }
  return "unknown";
}

kvspec_code kvspec_error_code(const kvspec_error* error) {
  return error != nullptr ? error->code : KVSPEC_OK;
}
const char* kvspec_error_message(const kvspec_error* error) {
  return error != nullptr ? error->message.c_str() : "";
}
const char* kvspec_error_file(const kvspec_error* error) {
  return error != nullptr ? error->error.file.c_str() : "";
}
const char* kvspec_error_field(const kvspec_error* error) {
  return error != nullptr ? error->error.field.c_str() : "";
}
const char* kvspec_error_expected(const kvspec_error* error) {
  return error != nullptr ? error->error.expected.c_str() : "";
}
const char* kvspec_error_found(const kvspec_error* error) {
  return error != nullptr ? error->error.found.c_str() : "";
}
const char* kvspec_error_detail(const kvspec_error* error) {
  return error != nullptr ? error->error.detail.c_str() : "";
}

void kvspec_error_free(kvspec_error* error) {
  if (error != &g_out_of_memory) delete error;
}

void kvspec_string_free(char* text) {
  std::free(text);
}

}  // extern "C"
