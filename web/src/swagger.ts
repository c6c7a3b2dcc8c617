// Swagger UI and its CSS: loaded only by the API page (a dynamic import, its own chunk).
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

/** Renders `spec` (an OpenAPI object, not a URL) read-only: "Try it out" is off. */
export function mountSwagger(el: HTMLElement, spec: object): void {
  SwaggerUI({
    domNode: el,
    spec,
    supportedSubmitMethods: [],
    tryItOutEnabled: false,
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    filter: true,
  });
}
