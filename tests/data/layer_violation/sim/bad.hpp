#pragma once
#include "models/scenario.hpp"
