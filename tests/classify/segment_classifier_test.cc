#include "classify/segment_classifier.h"

#include <gtest/gtest.h>

TEST(Placeholder, Builds) { SUCCEED(); }
