// The vision tower and projector of a multimodal model, counted from its config's vision_config, for the
// weights estimate (plan/weights_estimate.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/model_description.hpp"
#include "kvspec/error.hpp"

namespace kvspec {

struct VisionCount {
  std::int64_t parameters = 0;  // tower + projector
  std::int64_t tower = 0;
  std::int64_t projector = 0;
  bool present = false;              // the config has a vision part (vision_config or mm_vision_tower)
  std::vector<std::string> caveats;  // what is approximate or not counted
};

// `text_hidden` is the language model's hidden size (the projector's output).
Result<VisionCount> count_vision(const ModelDescription& d, std::int64_t text_hidden);

}  // namespace kvspec
