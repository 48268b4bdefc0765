/**
 * The benchmark worker's workflows: the library's, plus the bare floor beside them
 * (bare-workflows.ts). Measured side by side, they show what Temporal itself costs on this server,
 * so the library's own share can be told apart from it.
 */

// A bundle entry: the worker registers whatever it exports, so every library workflow comes along.
export * from '../../src/workflows';
export * from './bare-workflows';
export * from '../fanout/bare-fanout-workflows';
