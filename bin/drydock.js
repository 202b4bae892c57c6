#!/usr/bin/env node
'use strict';
// The installed `drydock` command: runs the compiled CLI (`npm run build` produces it) by calling
// its exported entry point, so the same code runs whether npm linked it, npx found it or a test
// spawned it.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('drydock: the CLI is not built yet; run `npm run build` in the Drydock checkout first.\n');
  process.exit(2);
}
require(entry).runCli(process.argv.slice(2));
