#!/usr/bin/env node
// Lints the Dockerfile with dockerfile-utils (its validate() API: its CLI exits 0 on warnings) and fails
// on any diagnostic, warning or error. The file is linted twice: as it is (BACKEND=cpu) and as built
// with --build-arg BACKEND=cuda (the default of the argument replaced), the variant that cannot be
// built here without a GPU base image.
//   node deploy/lint-dockerfile.js [Dockerfile]      (NODE_PATH must reach dockerfile-utils)
'use strict';
const fs = require('fs');
const { validate, ValidationSeverity } = require('dockerfile-utils');

const path = process.argv[2] || 'Dockerfile';
const source = fs.readFileSync(path, 'utf8');

// Every configurable check at its strictest.
const strict = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

function lint(name, content) {
  const diagnostics = validate(content, strict);
  for (const d of diagnostics) {
    console.log(`${name}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
  }
  return diagnostics.length;
}

// The linter must be able to complain: a Dockerfile with known faults has to draw diagnostics.
if (lint('known-bad Dockerfile (expected findings)', 'from scratch\nWORKDIR relative\n') < 2) {
  console.error('dockerfile-utils found fewer faults than expected in a known-bad Dockerfile');
  process.exit(2);
}

const cudaVariant = source.replace(/^ARG BACKEND=cpu$/m, 'ARG BACKEND=cuda');
if (cudaVariant === source) {
  console.error(`${path}: no "ARG BACKEND=cpu" line to lint the CUDA variant from`);
  process.exit(2);
}
const findings = lint(`${path} (BACKEND=cpu)`, source) + lint(`${path} (BACKEND=cuda)`, cudaVariant);
console.log(`dockerfile-utils: ${findings} finding(s) in ${path}, BACKEND=cpu and BACKEND=cuda`);
process.exit(findings === 0 ? 0 : 1);
