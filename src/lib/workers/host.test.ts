/**
 * The worker's host driven with real requests on the bundled samples, in Node: the messages it
 * answers with, in the order the page relies on, and the code of each way a request can end.
 * (The client's side, and a real worker, are tested in Chromium: tests/e2e/worker.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { archiveHost } from './host';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { entriesOf } from '../core/tar/columns';
import { openImageArchive } from '../core/engine';

const DIR = join(import.meta.dirname, '../../../sample-images');
const sample = (file: string) => openAsBlob(join(DIR, file));

/** A host and what it posted; `until` waits for the final answer to request `id`. */
function host() {
  const posted: WorkerResponse[] = [];
  const waiting = new Map<number, (m: WorkerResponse) => void>();
  const send = archiveHost((m) => {
    posted.push(m);
    const final = m.type === 'error' || m.type === 'verified' || m.type === 'file';
    if (final || m.type === 'saved') waiting.get(m.id)?.(m);
  });
  const until = (id: number) => new Promise<WorkerResponse>((resolve) => waiting.set(id, resolve));
  return {
    posted,
    of: (id: number) => posted.filter((m) => m.id === id),
    request(req: WorkerRequest) {
      const answer = until(req.id);
      send(req);
      return answer;
    },
    send,
    until,
  };
}

const read = (id: number, layerKey: string, e: { dataOffset: number; size: number }) =>
  ({
    id,
    type: 'read',
    layerKey,
    dataOffset: e.dataOffset,
    size: e.size,
    maxBytes: e.size,
  }) satisfies WorkerRequest;

describe('the worker host', () => {
  it('answers an open with the overview, each layer in order, then each verification', async () => {
    const h = host();
    const file = await sample('busybox-app.oci.tar');
    const end = await h.request({ id: 1, type: 'open', file, fileName: 'busybox-app.oci.tar' });
    expect(end.type).toBe('verified');
    const msgs = h.of(1);
    const types = msgs.map((m) => m.type).filter((t) => t !== 'progress');
    const model = msgs.find((m) => m.type === 'model')!;
    const keys = Object.values(model.model.layers)
      .filter((l) => l.present)
      .map((l) => l.key);
    expect(types).toEqual([
      'model',
      ...keys.map(() => 'layer'),
      'indexed',
      ...keys.map(() => 'verify'),
      'verified',
    ]);
    const layers = msgs.filter((m) => m.type === 'layer');
    expect(layers.map((m) => m.key)).toEqual(keys);
    for (const m of layers) {
      // The stats travel once, in the layer.
      expect(Object.keys(m).sort()).toEqual(['entries', 'id', 'key', 'layer', 'type']);
      expect(entriesOf(m.entries)).toHaveLength(m.layer.stats!.entries);
    }
    // After each layer, the progress that says so (never thinned out).
    for (const [i, m] of layers.entries()) {
      const next = msgs[msgs.indexOf(m) + 1]!;
      expect(next).toMatchObject({ type: 'progress', phase: 'indexing', layersDone: i + 1 });
    }
    for (const m of msgs.filter((m) => m.type === 'verify'))
      expect(m.layer).toMatchObject({ digestState: 'verified', diffIdState: 'verified' });
  });

  it('reads a file of the open archive, as the engine does', async () => {
    const h = host();
    const file = await sample('busybox-app.tar');
    await h.request({ id: 1, type: 'open', file, fileName: 'busybox-app.tar' });
    const archive = await openImageArchive(file);
    const entries = await archive.indexLayers();
    const [key, list] = [...entries].find(([, l]) => l.some((e) => e.path === 'etc/app/app.conf'))!;
    const conf = list.find((e) => e.path === 'etc/app/app.conf')!;
    const answer = await h.request(read(2, key, conf));
    expect(answer.type).toBe('file');
    if (answer.type !== 'file') return;
    expect(answer.bytes).toEqual(await archive.readFile(key, conf, conf.size));
  });

  it('says no-archive to a read or a save when none is open', async () => {
    const h = host();
    const answer = await h.request(read(1, 'layer.tar', { dataOffset: 512, size: 10 }));
    expect(answer).toMatchObject({ type: 'error', error: { code: 'no-archive' } });
    const save = await h.request({ id: 2, type: 'save', images: [] });
    expect(save).toMatchObject({ type: 'error', error: { code: 'no-archive' } });
    // An open that failed leaves none open either.
    const bad = await h.request({
      id: 3,
      type: 'open',
      file: new Blob(['not an archive']),
      fileName: 'x.tar',
    });
    expect(bad).toMatchObject({ type: 'error', error: { code: 'not-tar' } });
    const after = await h.request(read(4, 'layer.tar', { dataOffset: 512, size: 10 }));
    expect(after).toMatchObject({ type: 'error', error: { code: 'no-archive' } });
  });

  it('ends an aborted open with cancelled, and posts nothing for it after', async () => {
    const h = host();
    const file = await sample('debian-app.oci.tar');
    const end = h.until(1);
    h.send({ id: 1, type: 'open', file, fileName: 'debian-app.oci.tar' });
    // Abort once its first layer is being indexed.
    await new Promise<void>((resolve) => {
      const poll = () =>
        h.of(1).some((m) => m.type === 'progress' && m.phase === 'indexing')
          ? resolve()
          : setTimeout(poll, 1);
      poll();
    });
    h.send({ id: 1, type: 'abort' });
    expect(await end).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
    const count = h.of(1).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(h.of(1)).toHaveLength(count);
    expect(h.of(1).some((m) => m.type === 'layer')).toBe(false);
  });

  it('lets a later open replace the one running: the earlier one ends cancelled', async () => {
    const h = host();
    const first = h.until(1);
    h.send({ id: 1, type: 'open', file: await sample('debian-app.oci.tar'), fileName: 'a' });
    const second = await h.request({
      id: 2,
      type: 'open',
      file: await sample('hello.tar'),
      fileName: 'hello.tar',
    });
    expect(await first).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
    expect(second.type).toBe('verified');
    const model = h.of(2).find((m) => m.type === 'model');
    expect(model?.type === 'model' && model.model.fileName).toBe('hello.tar');
  });

  it('saves an image of the open archive, and a refused save has its own code', async () => {
    const h = host();
    const file = await sample('busybox-app.tar');
    await h.request({ id: 1, type: 'open', file, fileName: 'busybox-app.tar' });
    const model = h.of(1).find((m) => m.type === 'model');
    if (model?.type !== 'model') throw new Error('no model');
    const image = model.model.images[0]!;
    const saved = await h.request({ id: 2, type: 'save', images: [{ image, tars: [] }] });
    expect(saved).toMatchObject({ type: 'saved', fileName: 'localhost_busybox-app_1.0.tar' });
    if (saved.type !== 'saved') return;
    const again = await openImageArchive(saved.blob);
    expect(again.model.images[0]!.id).toBe(image.id);
    const refused = await h.request({ id: 3, type: 'save', images: [] });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'cannot-save' } });
  });
});
