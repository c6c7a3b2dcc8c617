// Writes the transactions the fixtures rebuild as gatescope.transaction/v1 NDJSON, as the
// connector ships them (through TransactionTransformer, default options), followed by the same
// transactions untransformed and the hand-built ones. Used by transaction_schema_test.py.
// Usage: transform_ndjson_writer OUT_FILE   (GS_FIXTURES must point at tests/fixtures)
#include <cstdio>
#include <fstream>

#include "model/transaction_json.h"
#include "tests/transform/fixture_transactions.h"
#include "transform/transaction_transformer.h"

int main(int argc, char** argv) {
  using gatescope::model::HttpTransaction;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_FILE\n", argv[0]);
    return 2;
  }
  auto transformer = gatescope::transform::TransactionTransformer::Create({});
  if (!transformer.ok()) {
    std::fprintf(stderr, "%s\n", transformer.status().ToString().c_str());
    return 1;
  }
  std::vector<HttpTransaction> fixtures = gatescope::testing::FixtureTransactions();
  std::string out;
  size_t kept = 0;
  for (HttpTransaction tx : fixtures) {
    if ((*transformer)->Apply(&tx).has_value()) continue;
    ++kept;
    gatescope::model::AppendTransactionJson(tx, &out);
    out += '\n';
  }
  for (const HttpTransaction& tx : fixtures) {
    gatescope::model::AppendTransactionJson(tx, &out);
    out += '\n';
  }
  for (const HttpTransaction& tx : gatescope::testing::HandBuiltTransactions()) {
    gatescope::model::AppendTransactionJson(tx, &out);
    out += '\n';
  }
  std::ofstream(argv[1], std::ios::binary) << out;
  std::fprintf(stderr, "wrote %zu transformed and %zu raw transactions\n", kept, fixtures.size());
  return kept > 0 ? 0 : 1;
}
