#!/usr/bin/env node
// An independent OTLP receiver for the interop tests of Functional.Telemetry.
//
//   node receiver.js [outFile]            (or OTLP_RECEIVER_OUT=outFile node receiver.js)
//
// Listens on 127.0.0.1 with two ephemeral ports and prints `{"grpc":PORT,"http":PORT}` as its first stdout line:
//   gRPC (@grpc/grpc-js, h2c): the three OTLP collector services
//        opentelemetry.proto.collector.{trace,metrics,logs}.v1.{Trace,Metrics,Logs}Service/Export;
//        `grpc-encoding: gzip` is handled by grpc-js itself.
//   HTTP (node:http): POST /v1/traces|metrics|logs with application/x-protobuf or application/json bodies,
//        gzip when `Content-Encoding: gzip`; OTLP/JSON is checked and converted as decode.js does.
//        GET /received returns every request received so far as a JSON array; POST /clear forgets them.
// Messages are decoded with the protobufjs definitions that ship with @opentelemetry/otlp-transformer and kept in
// decode.js' canonical form (ids as lowercase hex, 64-bit integers as decimal strings, enums as integers):
//   {"signal":"traces","transport":"grpc"|"http","contentType":..,"encoding":"gzip"|"identity","message":{..}}
// or, when a request could not be decoded, the same with "error" instead of "message" (the request is refused).
// With outFile, each received request is also appended to it as one JSON line.
// Exits when its stdin closes, so a test that dies never leaves it running.
'use strict';

const fs = require('fs');
const http = require('http');
const zlib = require('zlib');
const grpc = require('@grpc/grpc-js');
const { requestTypes, fromOtlpJson, canonical } = require('./decode.js');

const proto = require('@opentelemetry/otlp-transformer/build/src/generated/root.js').opentelemetry.proto;

const services = {
  traces: { name: 'opentelemetry.proto.collector.trace.v1.TraceService', response: proto.collector.trace.v1.ExportTraceServiceResponse },
  metrics: { name: 'opentelemetry.proto.collector.metrics.v1.MetricsService', response: proto.collector.metrics.v1.ExportMetricsServiceResponse },
  logs: { name: 'opentelemetry.proto.collector.logs.v1.LogsService', response: proto.collector.logs.v1.ExportLogsServiceResponse },
};

const outFile = process.argv[2] || process.env.OTLP_RECEIVER_OUT || null;
const received = [];

function toCanonical(signal, message) {
  return canonical(requestTypes[signal].toObject(message, { longs: String, enums: Number, bytes: String, json: true }));
}

function record(entry) {
  received.push(entry);
  if (outFile) fs.appendFileSync(outFile, JSON.stringify(entry) + '\n');
}

// ---- gRPC ----

// grpc-js removes `grpc-encoding` from the metadata it hands to the application; the request's encoding stays on
// the internal call (`incomingEncoding`), found by walking the wrapped calls. 'unknown' when grpc-js changes.
function grpcEncoding(call) {
  let current = call;
  for (let depth = 0; current && depth < 6; depth++) {
    if (typeof current.incomingEncoding === 'string') return current.incomingEncoding;
    current = current.call || current.nextCall;
  }
  return 'unknown';
}

const grpcServer = new grpc.Server();
for (const [signal, service] of Object.entries(services)) {
  const request = requestTypes[signal];
  const definition = {
    Export: {
      path: `/${service.name}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (m) => Buffer.from(request.encode(m).finish()),
      requestDeserialize: (b) => b, // decoded in the handler so that a bad message is recorded, not only refused
      responseSerialize: (m) => Buffer.from(service.response.encode(m).finish()),
      responseDeserialize: (b) => service.response.decode(b),
      originalName: 'export',
    },
  };
  grpcServer.addService(definition, {
    Export: (call, callback) => {
      const entry = { signal, transport: 'grpc', contentType: 'application/grpc', encoding: grpcEncoding(call) };
      try {
        entry.message = toCanonical(signal, request.decode(call.request));
      } catch (e) {
        entry.error = String(e && e.message ? e.message : e);
        record(entry);
        callback({ code: grpc.status.INVALID_ARGUMENT, details: entry.error });
        return;
      }
      record(entry);
      callback(null, service.response.create({}));
    },
  });
}

// ---- HTTP ----

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res, status, contentType, body) {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const httpServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/received') {
      reply(res, 200, 'application/json', JSON.stringify(received));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/clear') {
      received.length = 0;
      reply(res, 200, 'application/json', '{}');
      return;
    }
    const match = /^\/v1\/(traces|metrics|logs)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      reply(res, 404, 'text/plain', 'not found');
      return;
    }
    const signal = match[1];
    const contentType = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    const encoding = String(req.headers['content-encoding'] || 'identity').toLowerCase();
    const entry = { signal, transport: 'http', contentType, encoding };
    let body = await readBody(req);
    const isJson = contentType === 'application/json';
    try {
      if (encoding === 'gzip') body = zlib.gunzipSync(body);
      else if (encoding !== 'identity') throw new Error(`unsupported Content-Encoding ${encoding}`);
      const type = requestTypes[signal];
      let message;
      if (contentType === 'application/x-protobuf') message = type.decode(body);
      else if (isJson) {
        const object = fromOtlpJson(JSON.parse(body.toString('utf8')), signal);
        const error = type.verify(object);
        if (error) throw new Error(`verify: ${error}`);
        message = type.fromObject(object);
      } else throw new Error(`unsupported Content-Type ${contentType}`);
      entry.message = toCanonical(signal, message);
    } catch (e) {
      entry.error = String(e && e.message ? e.message : e);
      record(entry);
      reply(res, 400, 'text/plain', entry.error);
      return;
    }
    record(entry);
    if (isJson) reply(res, 200, 'application/json', '{}');
    else reply(res, 200, 'application/x-protobuf', Buffer.alloc(0));
  } catch (e) {
    reply(res, 500, 'text/plain', String(e && e.message ? e.message : e));
  }
});

// ---- start ----

function exit() {
  httpServer.close();
  grpcServer.forceShutdown();
  process.exit(0);
}

process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.on('error', exit);
process.stdin.resume();

grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, grpcPort) => {
  if (err) {
    process.stderr.write(`gRPC bind failed: ${err.message}\n`);
    process.exit(1);
  }
  httpServer.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ grpc: grpcPort, http: httpServer.address().port }) + '\n');
  });
});
