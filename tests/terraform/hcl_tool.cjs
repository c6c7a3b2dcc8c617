// HCL helpers for the Terraform tests when the terraform CLI is not installed, from the npm
// packages installed in the build directory (tests/terraform/CMakeLists.txt):
//   node hcl_tool.cjs TOOLS_DIR fmt FILE...   prints a unified-style report of each file that
//                                           hclwrite.Format (what `terraform fmt` applies) would
//                                           change; exit 1 if any
//   node hcl_tool.cjs TOOLS_DIR json FILE...  prints {"FILE": <hcl2json of FILE>, ...}
// One process for all files: loading the WebAssembly modules takes seconds.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [toolsDir, mode, ...files] = process.argv.slice(2);
  const modules = path.join(toolsDir, 'node_modules', '@cdktf');
  if (mode === 'fmt') {
    const { format } = require(path.join(modules, 'hcl-tools'));
    let changed = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const formatted = await format(text);
      if (formatted === text) continue;
      ++changed;
      const a = text.split('\n');
      const b = formatted.split('\n');
      console.log(`--- ${file}\n+++ ${file} (formatted)`);
      let shown = 0;
      for (let i = 0; i < Math.max(a.length, b.length) && shown < 20; ++i) {
        if (a[i] === b[i]) continue;
        console.log(`@@ line ${i + 1}\n-${a[i] ?? ''}\n+${b[i] ?? ''}`);
        ++shown;
      }
    }
    process.exitCode = changed ? 1 : 0;
  } else if (mode === 'json') {
    const { parse } = require(path.join(modules, 'hcl2json'));
    const out = {};
    for (const file of files) out[file] = await parse(file, fs.readFileSync(file, 'utf8'));
    process.stdout.write(JSON.stringify(out));
  } else {
    console.error('usage: node hcl_tool.cjs TOOLS_DIR fmt|json FILE...');
    process.exitCode = 2;
  }
}

main().catch((e) => {
  console.error(`hcl_tool: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 2;
});
