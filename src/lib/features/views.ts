/**
 * Each view's component, by the id the registry (views/registry.ts) gives it. The `satisfies`
 * clause makes the map complete at compile time: a view in the registry without a component, or a
 * component under an id the registry does not have, fails `svelte-check`.
 */
import type { Component } from 'svelte';
import type { ImageInfo } from '../core/model/types';
import type { Session } from '../state/session.svelte';
import type { ViewId } from '../views/registry';
import ImagesView from './images/ImagesView.svelte';
import HistoryView from './history/HistoryView.svelte';
import InspectView from './inspect/InspectView.svelte';
import LayersView from './layers/LayersView.svelte';
import FilesView from './files/FilesView.svelte';
import WastedView from './wasted/WastedView.svelte';
import NamesView from './names/NamesView.svelte';
import ContainerView from './container/ContainerView.svelte';

/** What App.svelte gives every view: the open session and the image on screen. */
export interface ViewProps {
  session: Session;
  image: ImageInfo;
}

export const VIEW_COMPONENTS = {
  images: ImagesView,
  history: HistoryView,
  inspect: InspectView,
  layers: LayersView,
  files: FilesView,
  wasted: WastedView,
  names: NamesView,
  container: ContainerView,
} satisfies Record<ViewId, Component<ViewProps>>;

/** The component of a view. An id outside the registry is a programming error: it throws. */
export function viewComponent(id: ViewId): Component<ViewProps> {
  const c = (VIEW_COMPONENTS as Partial<Record<string, Component<ViewProps>>>)[id];
  if (!c) throw new Error(`No component for view "${String(id)}"`);
  return c;
}
