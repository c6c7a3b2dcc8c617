#pragma once
// Placeholder: the schema sketch lands here.
