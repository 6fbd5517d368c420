export * from './units';
export * from './width';
export * from './display';
export * from './tabwriter';
