// Prints the attribute constants of @opentelemetry/semantic-conventions as one JSON object, for the F# test that
// checks Functional.Telemetry's constants against them (tests/Functional.Telemetry.Tests/SemanticConventions):
//   { "version": the package's version,
//     "stable": { export name: value } of the stable entry point,
//     "incubating": { export name: value } of the `incubating` entry point,
//     "deprecated": [ names the package's typings mark @deprecated ] }
// Template attributes (functions such as ATTR_HTTP_REQUEST_HEADER) appear as their value for the key "<key>".
'use strict';
const fs = require('fs');
const path = require('path');

const packageName = '@opentelemetry/semantic-conventions';
// The package exports no ./package.json subpath: its directory is found from the main entry (dist/index.cjs).
const packageDir = path.dirname(path.dirname(require.resolve(packageName)));

function valuesOf(entry) {
  const values = {};
  for (const [name, value] of Object.entries(entry)) {
    if (typeof value === 'string') values[name] = value;
    else if (typeof value === 'function') values[name] = value('<key>');
  }
  return values;
}

// The typings are the only place that says what is deprecated: a JSDoc block with @deprecated right before the
// declaration.
function deprecatedIn(file) {
  const text = fs.readFileSync(path.join(packageDir, 'dist', file), 'utf8');
  const names = [];
  const declaration = /\/\*\*([\s\S]*?)\*\/\s*declare const ([A-Za-z0-9_]+)/g;
  let match;
  while ((match = declaration.exec(text))) {
    if (/@deprecated/.test(match[1])) names.push(match[2]);
  }
  return names;
}

const typings = fs.readdirSync(path.join(packageDir, 'dist')).filter((f) => /_attributes\.d\.cts$/.test(f));

process.stdout.write(
  JSON.stringify({
    version: JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version,
    stable: valuesOf(require(packageName)),
    incubating: valuesOf(require(`${packageName}/incubating`)),
    deprecated: [...new Set(typings.flatMap(deprecatedIn))].sort(),
  }) + '\n'
);
