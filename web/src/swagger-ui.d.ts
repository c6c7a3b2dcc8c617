// swagger-ui-dist ships no types; this is the part the API page uses.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  interface SwaggerUIOptions {
    domNode: HTMLElement;
    spec: object;
    supportedSubmitMethods?: string[];
    tryItOutEnabled?: boolean;
    deepLinking?: boolean;
    docExpansion?: 'list' | 'full' | 'none';
    defaultModelsExpandDepth?: number;
    displayRequestDuration?: boolean;
    filter?: boolean | string;
    validatorUrl?: string | null;
    syntaxHighlight?: false | { activated?: boolean; theme?: string };
    withCredentials?: boolean;
    [key: string]: unknown;
  }
  interface SwaggerUIInstance {
    [key: string]: unknown;
  }
  const SwaggerUI: (options: SwaggerUIOptions) => SwaggerUIInstance;
  export default SwaggerUI;
}
