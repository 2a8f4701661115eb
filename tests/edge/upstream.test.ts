// The functions proxy's HTTP/1.1 response reader: heads and chunked bodies however the bytes are split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedDecoder, ProtocolError, readHead } from '../../supabase/edge/upstream.ts';

const bytes = (s: string) => Buffer.from(s, 'latin1');

test('a head with content-length: status, reason, raw headers in order, where the body starts', () => {
  const buf = bytes('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Two: a\r\nX-Two: b\r\ncontent-length: 2\r\n\r\n{}');
  const read = readHead(buf, 'POST');
  assert.deepEqual(read, {
    head: { status: 201, statusText: 'Created', rawHeaders: ['Content-Type', 'application/json', 'X-Two', 'a', 'X-Two', 'b', 'content-length', '2'], framing: 'length', length: 2, keepAlive: true },
    offset: buf.length - 2,
  });
});

test('an incomplete head is null until its blank line arrives', () => {
  const full = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n';
  for (let i = 0; i < full.length; i++) assert.equal(readHead(bytes(full.slice(0, i)), 'GET'), null, `prefix of ${i} bytes`);
  assert.equal(readHead(bytes(full), 'GET')?.head.framing, 'length');
});

test('interim 1xx answers are skipped; 101 is refused', () => {
  const read = readHead(bytes('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), 'POST');
  assert.equal(read?.head.status, 200);
  assert.equal(read?.head.framing, 'chunked');
  assert.deepEqual(read?.head.rawHeaders, ['transfer-encoding', 'chunked']);
  assert.throws(() => readHead(bytes('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n'), 'GET'), ProtocolError);
});

test('framing: HEAD, 204 and 304 have no body; no length and no chunking reads to the close; connection: close is not reused', () => {
  assert.equal(readHead(bytes('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n'), 'HEAD')?.head.framing, 'none');
  assert.equal(readHead(bytes('HTTP/1.1 204 No Content\r\n\r\n'), 'DELETE')?.head.framing, 'none');
  assert.equal(readHead(bytes('HTTP/1.1 304 Not Modified\r\n\r\n'), 'GET')?.head.framing, 'none');
  const toClose = readHead(bytes('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n'), 'GET')!.head;
  assert.deepEqual([toClose.framing, toClose.keepAlive], ['close', false]);
  assert.equal(readHead(bytes('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 1\r\n\r\n'), 'GET')?.head.keepAlive, false);
  assert.equal(readHead(bytes('HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\n'), 'GET')?.head.keepAlive, false);
  assert.equal(readHead(bytes('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\n'), 'GET')?.head.keepAlive, true);
  assert.equal(readHead(bytes('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 5\r\n\r\n'), 'GET')?.head.framing, 'chunked');
});

test('malformed heads are protocol errors', () => {
  for (const bad of ['HTTP/2 200 OK\r\n\r\n', 'HTTP/1.1 20 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n']) {
    assert.throws(() => readHead(bytes(bad), 'GET'), ProtocolError, JSON.stringify(bad));
  }
  assert.throws(() => readHead(Buffer.alloc(70 * 1024, 'a'), 'GET'), ProtocolError);
});

test('a chunked body decodes the same however it is split, trailers included, and keeps what follows it', () => {
  const wire = '5\r\nhello\r\n1;ext=1\r\n,\r\nB\r\n 0123456789\r\n0\r\nx-trailer: t\r\n\r\nNEXT';
  for (const step of [1, 2, 3, 7, wire.length]) {
    const out: Buffer[] = [];
    const decoder = new ChunkedDecoder((d) => out.push(Buffer.from(d)));
    for (let i = 0; i < wire.length && !decoder.done; i += step) decoder.write(bytes(wire.slice(i, i + step)));
    assert.equal(decoder.done, true, `split every ${step}`);
    assert.equal(Buffer.concat(out).toString('latin1'), 'hello, 0123456789');
    if (step === wire.length) assert.equal(decoder.rest?.toString('latin1'), 'NEXT');
  }
});

test('a chunk longer than its size, or a size that is not hex, is a protocol error', () => {
  assert.throws(() => new ChunkedDecoder(() => {}).write(bytes('2\r\nabc\r\n')), ProtocolError);
  assert.throws(() => new ChunkedDecoder(() => {}).write(bytes('zz\r\n')), ProtocolError);
});
