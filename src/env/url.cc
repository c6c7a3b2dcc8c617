#include "env/url.h"
