/** Errors of the pipeline format. A `TemplateError` met while a pipeline runs fails it with type `CodikaTemplateError`. */

/** A template that cannot be rendered: names where, what, and what was there instead. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(`${at}: ${message}`);
  }
}
