// Model names for other tools' local stores: ollama:NAME[:TAG] (Ollama's manifests and blobs) and
// lmstudio:PUBLISHER/MODEL[/FILE.gguf] (LM Studio's models folder).
#pragma once

#include <string>
#include <string_view>

#include "kvspec/error.hpp"
#include "kvspec/load.hpp"
#include "source/resolve.hpp"

namespace kvspec {

// True for names this file resolves ("ollama:...", "lmstudio:...").
bool is_store_name(std::string_view model);

// Ollama's models folder: $OLLAMA_MODELS, else ~/.ollama/models, else /usr/share/ollama/.ollama/models (the
// Linux service's home) when only that one exists. Empty when no home folder is known.
std::string default_ollama_models_dir();

// LM Studio's models folder: settings.json's downloadsFolder in LM Studio's home (the folder named in
// ~/.lmstudio-home-pointer, else ~/.cache/lm-studio when it exists, else ~/.lmstudio), else <home>/models.
// Empty when no home folder is known; an error when the pointer or settings.json is malformed.
Result<std::string> lmstudio_models_dir();

// Resolves a store name to its model file (a GGUF blob for Ollama).
Result<ModelLocation> locate_in_store(std::string_view model, const LoadOptions& options);

}  // namespace kvspec
