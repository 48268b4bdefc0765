// vega-lite publishes its types only through package.json "exports", which this project's
// `moduleResolution: "node"` does not read; point the bare specifier at them.
declare module 'vega-lite' {
  export * from 'vega-lite/build/index';
}
