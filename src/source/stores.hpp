// Model names for other tools' local stores: ollama:NAME[:TAG] (Ollama's manifests and blobs).
#pragma once

#include <string>
#include <string_view>

#include "kvspec/error.hpp"
#include "kvspec/load.hpp"
#include "source/resolve.hpp"

namespace kvspec {

// True for names this file resolves ("ollama:...").
bool is_store_name(std::string_view model);

// Ollama's models folder: $OLLAMA_MODELS, else ~/.ollama/models, else /usr/share/ollama/.ollama/models (the
// Linux service's home) when only that one exists. Empty when no home folder is known.
std::string default_ollama_models_dir();

// Resolves a store name to its model file (a GGUF blob for Ollama).
Result<ModelLocation> locate_in_store(std::string_view model, const LoadOptions& options);

}  // namespace kvspec
