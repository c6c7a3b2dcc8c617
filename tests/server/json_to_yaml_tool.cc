// Test tool for yaml_writer_test.py: converts each JSON file named on the command line to
// YAML with openapi::JsonToYaml, writing "<file>.yaml" beside it. Exit 1 if a file is not JSON.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "openapi/yaml_writer.h"

int main(int argc, char** argv) {
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = nlohmann::ordered_json::parse(text.str(), nullptr, false);
    if (!in || doc.is_discarded()) {
      std::cerr << argv[i] << ": not JSON\n";
      status = 1;
      continue;
    }
    std::ofstream(std::string(argv[i]) + ".yaml", std::ios::binary)
        << gatescope::openapi::JsonToYaml(doc);
  }
  return status;
}
