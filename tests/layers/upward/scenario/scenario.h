// Fixture for the layering check (see tests/layers/upward/net/uses_scenario.h).
#pragma once

#include "aifabric/net/uses_scenario.h"
