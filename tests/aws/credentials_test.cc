#include <gtest/gtest.h>

// Placeholder: written by the issue 5 work in progress.
TEST(Placeholder, Empty) {}
