#!/usr/bin/env node
// An independent OTLP decoder for the encoder property tests of Functional.Telemetry.
//
//   node decode.js <dir> [outDir]
//
// Reads every file `<name>.<signal>.<pb|json>` of <dir> (signal: traces, metrics or logs) and decodes it with the
// protobufjs definitions that ship with @opentelemetry/otlp-transformer (not with anything of ours):
//   .pb   -> ExportXServiceRequest.decode
//   .json -> OTLP/JSON is checked (ids as hex, 64-bit integers as decimal strings, enums as integers, bytes as
//            base64, doubles as numbers or "NaN"/"Infinity"/"-Infinity"), turned into the protobufjs object form,
//            checked with `verify`, then built with `fromObject`.
// Each decoded request is written in one canonical JSON form: ids as lowercase hex, 64-bit integers as decimal
// strings, bytes as base64, enums as integers, non-finite doubles as strings, absent fields left out.
// Without outDir: one line per file on stdout, {"file": name, "message": canonical} or {"file": name, "error": text}.
// With outDir: <outDir>/<file>.decoded.json holding the same object.
'use strict';

const fs = require('fs');
const path = require('path');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const Long = require('long');

const proto = root.opentelemetry.proto;
const requestTypes = {
  traces: proto.collector.trace.v1.ExportTraceServiceRequest,
  metrics: proto.collector.metrics.v1.ExportMetricsServiceRequest,
  logs: proto.collector.logs.v1.ExportLogsServiceRequest,
};

const idFields = new Set(['traceId', 'spanId', 'parentSpanId']);
const int64Fields = new Set([
  'startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'observedTimeUnixNano',
  'intValue', 'asInt', 'count', 'zeroCount', 'bucketCounts',
]);
const doubleFields = new Set(['doubleValue', 'asDouble', 'sum', 'min', 'max', 'zeroThreshold', 'explicitBounds']);
const enumFields = new Set(['kind', 'code', 'aggregationTemporality', 'severityNumber']);

function fail(where, what) {
  throw new Error(`${where}: ${what}`);
}

function hexToBytes(where, text) {
  if (typeof text !== 'string' || !/^([0-9a-f]{2})*$/.test(text)) fail(where, `lowercase hex expected, got ${JSON.stringify(text)}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function toInt64(where, value) {
  if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value)) fail(where, `64-bit integer as a decimal string expected, got ${JSON.stringify(value)}`);
  return value.startsWith('-') ? Long.fromString(value, false) : Long.fromString(value, true);
}

function toDouble(where, value) {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return fail(where, `double expected, got ${JSON.stringify(value)}`);
}

// OTLP/JSON -> the protobufjs object form, checking the OTLP/JSON encoding rules on the way.
function fromOtlpJson(value, where) {
  if (Array.isArray(value)) return value.map((item, i) => fromOtlpJson(item, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, field] of Object.entries(value)) {
    const at = `${where}.${key}`;
    if (!/^[a-z][A-Za-z]*$/.test(key)) fail(at, 'lowerCamelCase key expected');
    const each = (f) => (Array.isArray(field) ? field.map((x, i) => f(`${at}[${i}]`, x)) : f(at, field));
    if (idFields.has(key)) out[key] = hexToBytes(at, field);
    else if (key === 'bytesValue') {
      if (typeof field !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(field)) fail(at, 'base64 expected');
      out[key] = Uint8Array.from(Buffer.from(field, 'base64'));
    } else if (int64Fields.has(key)) out[key] = each(toInt64);
    // `sum` is also Metric's Sum message: only scalars and arrays are doubles.
    else if (doubleFields.has(key) && (field === null || typeof field !== 'object' || Array.isArray(field))) out[key] = each(toDouble);
    else if (enumFields.has(key)) {
      if (!Number.isInteger(field)) fail(at, `enum as an integer expected, got ${JSON.stringify(field)}`);
      out[key] = field;
    } else out[key] = fromOtlpJson(field, at);
  }
  return out;
}

function decodeFile(file, signal, encoding) {
  const type = requestTypes[signal];
  if (!type) fail(file, `unknown signal ${signal}`);
  const content = fs.readFileSync(file);
  if (encoding === 'pb') return type.decode(content);
  if (encoding === 'json') {
    const object = fromOtlpJson(JSON.parse(content.toString('utf8')), signal);
    const error = type.verify(object);
    if (error) fail(file, `verify: ${error}`);
    return type.fromObject(object);
  }
  return fail(file, `unknown encoding ${encoding}`);
}

// The canonical form: ids as hex, everything else as protobufjs' JSON-friendly object form.
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = idFields.has(key) && typeof field === 'string' ? Buffer.from(field, 'base64').toString('hex') : canonical(field);
  }
  return out;
}

function main() {
  const [dir, outDir] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node decode.js <dir> [outDir]\n');
    process.exit(2);
  }
  const files = fs.readdirSync(dir).filter((f) => /\.(traces|metrics|logs)\.(pb|json)$/.test(f)).sort();
  for (const name of files) {
    const [, signal, encoding] = /\.([a-z]+)\.([a-z]+)$/.exec(name);
    let result;
    try {
      const message = decodeFile(path.join(dir, name), signal, encoding);
      const object = requestTypes[signal].toObject(message, { longs: String, enums: Number, bytes: String, json: true });
      result = { file: name, message: canonical(object) };
    } catch (e) {
      result = { file: name, error: String(e && e.message ? e.message : e) };
    }
    if (outDir) fs.writeFileSync(path.join(outDir, `${name}.decoded.json`), JSON.stringify(result));
    else process.stdout.write(JSON.stringify(result) + '\n');
  }
}

if (require.main === module) main();

module.exports = { requestTypes, fromOtlpJson, canonical };
