// The C API's objects and the guard every entry point runs in (kvspec/kvspec.h): results as values, no C++
// exception past the boundary.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "app/loaded.hpp"
#include "kvspec/error.hpp"
#include "kvspec/kvspec.h"

struct kvspec_error {
  kvspec_code code = KVSPEC_ERROR_INTERNAL;
  kvspec::Error error;
  std::string message;  // error.message(), kept so the accessor can hand out a pointer
};

struct kvspec_model {
  kvspec::LoadedModel loaded;
};

namespace kvspec::capi {

// A usage error naming the C argument or struct field.
Error usage_error(std::string field, std::string expected, std::string found);

// *err = a new kvspec_error for `error` (the shared out-of-memory error if that allocation fails). Usage
// errors from the commands name the CLI's flag ("--kv-dtype"); here the struct field ("kv_dtype").
void set_error(kvspec_error** err, const Error& error) noexcept;
void set_out_of_memory(kvspec_error** err) noexcept;
// An exception that escaped the library (a bug): an internal error with its what().
void set_internal(kvspec_error** err, const char* what) noexcept;

// A malloc'd copy for kvspec_string_free; std::bad_alloc when malloc fails.
char* malloc_copy(const std::string& text);

// Runs `body` (returning Result<T>) with *err cleared first; its error, or any exception, becomes *err and
// the result `failed`.
template <class T, class Body>
T guarded(kvspec_error** err, T failed, Body&& body) noexcept {
  if (err != nullptr) *err = nullptr;
  try {
    Result<T> r = body();
    if (r) return *r;
    set_error(err, r.error());
  } catch (const std::bad_alloc&) {
    set_out_of_memory(err);
  } catch (const std::exception& e) {
    set_internal(err, e.what());
  } catch (...) {
    set_internal(err, nullptr);
  }
  return failed;
}

}  // namespace kvspec::capi
