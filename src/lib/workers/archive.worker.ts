/**
 * The thin worker: holds the opened archive and runs the engine off the main thread. Every
 * request is answered by the host (host.ts); this file only connects it to the worker's scope.
 */
import { archiveHost } from './host';
import type { WorkerRequest, WorkerResponse } from './protocol';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

const receive = archiveHost((m, transfer = []) => scope.postMessage(m, transfer));
scope.onmessage = (e) => receive(e.data);
