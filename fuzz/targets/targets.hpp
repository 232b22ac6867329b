// The fuzz targets' bodies, shared by the libFuzzer executables (fuzz/entry.cpp) and the corpus replay in the
// test suite (tests/fuzz_replay_test.cpp). Each takes one input, runs the parser and everything downstream of
// it, and aborts when an invariant breaks; sanitizers report the rest.
#pragma once

#include <string_view>

namespace kvspec::fuzz {

// config.json text → spec → exact sizes at several contexts and dtypes → text and JSON reports.
void config_one(std::string_view bytes);

// Structured bytes → a random ModelCacheSpec × context × batch × dtypes → exact (and runtime) sizing, checked
// against 128-bit arithmetic; or, by the first byte, the CLI's quantity parsers.
void size_one(std::string_view bytes);

// A safetensors file (8-byte length, JSON header, data) → header → tier-2 evidence → spec → weights summary →
// reports.
void safetensors_one(std::string_view bytes);

// A GGUF file → header → spec and weights (llama.cpp's hparams) → sizes → reports.
void gguf_one(std::string_view bytes);

// Any bytes → the terminal and JSON escapes and Error::message: nothing hidden comes out raw, the terminal
// escape decodes back to the input, the JSON parses back to it.
void escape_one(std::string_view bytes);
// A model folder built from the input (files, hardlinks, symbolic links, an index) → safetensors shards or
// GGUF split parts → de-duplication: distinct files, each tensor once.
void shards_one(std::string_view bytes);
// The first byte picks a network-facing parser (src/remote/wire.hpp: Hub API JSON, Content-Range,
// Retry-After, safetensors header length, URL pieces) or a GGUF header prefix; the rest is its input.
void remote_one(std::string_view bytes);

}  // namespace kvspec::fuzz
