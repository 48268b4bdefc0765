import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

/** A worker plugin that traces workflows and activities, and how to flush it on shutdown. */
export interface CodikaTracing {
  /** Add it to the worker's `plugins`. */
  plugin: OpenTelemetryPlugin;
  /** Sends the spans still buffered; call after the worker stopped. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing for a worker, opt-in: spans for every workflow run, activity (trigger,
 * status checks) and client call, linked across processes by Temporal's interceptors. By default
 * spans go out as OTLP over HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`); pass
 * any other exporter instead. Add `plugin` to the worker's `plugins`; the workflow side needs the
 * worker to bundle its workflows (`workflowsPath`, the default of `createCodikaWorker`).
 */
export function codikaTracing(options: { serviceName?: string; exporter?: SpanExporter } = {}): CodikaTracing {
  const spanProcessor: SpanProcessor = new BatchSpanProcessor(options.exporter ?? new OTLPTraceExporter());
  const resource = new Resource({ 'service.name': options.serviceName ?? 'codika-temporal-worker' });
  // Activity and client spans go to the global tracer provider; workflow spans to the plugin's sink.
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  provider.register();
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    shutdown: () => spanProcessor.shutdown(),
  };
}
