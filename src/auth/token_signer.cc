// Placeholder: implemented in issue 7.
#include "auth/token_signer.h"
