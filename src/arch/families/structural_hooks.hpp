// Hooks of the structural families (structural.cpp holds their rules): per-layer heads (Nemotron-NAS), KV
// sharing across layers (Gemma 3n, Gemma 4), cross-attention (Mllama) and encoder-decoder models (Whisper,
// T5).
#pragma once

#include "arch/rule.hpp"

namespace kvspec {

Status nemotron_nas_layers(BuildContext& ctx);

Status gemma3n_finish(BuildContext& ctx);
Status gemma4_resolve(BuildContext& ctx);
Status gemma4_layers(BuildContext& ctx);
Status gemma4_finish(BuildContext& ctx);

Status mllama_layers(BuildContext& ctx);

Status whisper_core(BuildContext& ctx);
Status whisper_layers(BuildContext& ctx);
Status t5_core(BuildContext& ctx);
Status t5_layers(BuildContext& ctx);

}  // namespace kvspec
