#include <gtest/gtest.h>

#include "kvspec/load.hpp"

TEST(Smoke, BundledExampleLoads) {
  auto spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), kvspec::bundled_example_name());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->num_layers(), 48);
}
