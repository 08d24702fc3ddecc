// A deliberately wrong include for the layering check's self-test: a primitive of net/
// reaching up into scenario/. cmake/check_layers.cmake must refuse this tree.
#pragma once

#include "aifabric/core/units.h"
#include "aifabric/scenario/scenario.h"
