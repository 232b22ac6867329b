// libFuzzer entry point; KVSPEC_FUZZ_ENTRY names the target body (fuzz/targets/targets.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kvspec::fuzz::KVSPEC_FUZZ_ENTRY(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
